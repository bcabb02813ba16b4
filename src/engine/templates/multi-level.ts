import { z } from 'zod';
import { applyRate, rateTimes } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import type { OrderTemplate } from './template.ts';

/** N级分销: chain[i] earns rates[i] × base. */
const paramsSchema = z.strictObject({ rates: z.array(rate).min(1, 'give at least one rate'), base: baseKind });
type Params = z.output<typeof paramsSchema>;

export const multiLevel: OrderTemplate<Params> = {
  kind: 'order',
  name: 'multi-level',
  paysChain: true,
  params: () => paramsSchema,
  maxChainPayees: (params) => params.rates.length,
  compute(rule, params, input, out) {
    const positions = Math.min(params.rates.length, input.chain.length);
    for (const line of input.lines) {
      const base = lineBase(line, params.base);
      for (let position = 0; position < positions; position++) {
        const link = input.chain[position]!;
        const lineRate = params.rates[position]!;
        const amount = applyRate(lineRate, base);
        if (amount === 0n) continue;
        out.add(link.id, amount, !out.explaining ? null : {
          rule, template: 'multi-level', to: link.id, order: input.order, line: line.line,
          base: { kind: params.base, amount: base }, rate: lineRate,
          exact: rateTimes(lineRate, base), amount, position, level: link.level,
          reason: 'multi-level.position',
        });
      }
    }
  },
};
