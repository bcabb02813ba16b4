import { z } from 'zod';
import { applyRate, rateTimes } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import type { AwardPart, OrderTemplate } from './template.ts';

/** N级分销: chain[i] earns rates[i] × base. */
const paramsSchema = z.strictObject({ rates: z.array(rate).min(1, 'give at least one rate'), base: baseKind });
type Params = z.output<typeof paramsSchema>;

export const multiLevel: OrderTemplate<Params> = {
  kind: 'order',
  name: 'multi-level',
  paysChain: true,
  params: () => paramsSchema,
  maxChainPayees: (params) => params.rates.length,
  compute(rule, params, input) {
    const parts: AwardPart[] = [];
    for (const line of input.lines) {
      const base = lineBase(line, params.base);
      params.rates.forEach((lineRate, position) => {
        const link = input.chain[position];
        if (!link) return;
        const amount = applyRate(lineRate, base);
        if (amount === 0n) return;
        parts.push({
          to: link.id,
          amount,
          explanation: {
            rule, template: 'multi-level', to: link.id, order: input.order, line: line.line,
            base: { kind: params.base, amount: base }, rate: lineRate,
            exact: rateTimes(lineRate, base), amount, position, level: link.level,
            reason: 'multi-level.position',
          },
        });
      });
    }
    return parts;
  },
};
