import { z } from 'zod';
import { applyPpm, ppmOf, ppmTimesWhole, rateTimes } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import { compiledParams } from './compiled.ts';
import { addLinkAmount, wholePaid } from './parts.ts';
import type { OrderTemplate } from './template.ts';

/** N级分销: chain[i] earns rates[i] × base. */
const paramsSchema = z.strictObject({ rates: z.array(rate).min(1, 'give at least one rate'), base: baseKind });
type Params = z.output<typeof paramsSchema>;

/** The rates as numbers of ppm, per params (see compiled.ts). */
const ppmsByParams = new WeakMap<Params, readonly number[]>();
const ratesInPpm = (params: Params): readonly number[] => params.rates.map(ppmOf);

export const multiLevel: OrderTemplate<Params> = {
  kind: 'order',
  name: 'multi-level',
  paysChain: true,
  params: () => paramsSchema,
  maxChainPayees: (params) => params.rates.length,
  compute(rule, params, input, out) {
    const ppms = compiledParams(ppmsByParams, params, ratesInPpm);
    const positions = Math.min(params.rates.length, input.chain.length);
    for (const line of input.lines) {
      const paid = params.base === 'paid' ? wholePaid(line, out) : Number.NaN;
      if (paid === paid) {
        // In doubles (see parts.ts): the same amounts, without explanations.
        for (let position = 0; position < positions; position++) {
          const amount = ppmTimesWhole(ppms[position]!, paid);
          if (amount !== 0) addLinkAmount(out, input.chain[position]!, amount);
        }
        continue;
      }
      const base = lineBase(line, params.base);
      for (let position = 0; position < positions; position++) {
        const link = input.chain[position]!;
        const lineRate = params.rates[position]!;
        const amount = applyPpm(ppms[position]!, base);
        if (amount === 0n) continue;
        out.add(
          link.id,
          amount,
          !out.explaining
            ? null
            : {
                rule,
                template: 'multi-level',
                to: link.id,
                order: input.order,
                line: line.line,
                base: { kind: params.base, amount: base },
                rate: lineRate,
                exact: rateTimes(lineRate, base),
                amount,
                position,
                level: link.level,
                reason: 'multi-level.position',
              },
        );
      }
    }
  },
};
