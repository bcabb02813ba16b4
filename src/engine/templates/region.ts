import { z } from 'zod';
import { applyRate, rateTimes } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import type { OrderTemplate } from './template.ts';

/**
 * 区域代理: the holders of the order's province, city and district codes at payment time earn
 * their rate, independent of the chain. A member holding two of the codes earns both parts
 * (each rounded on its own); they add up to one award of the rule for the order.
 */
const paramsSchema = z.strictObject({
  rates: z.strictObject({ province: rate.optional(), city: rate.optional(), district: rate.optional() }),
  base: baseKind,
});
type Params = z.output<typeof paramsSchema>;

const TIERS = ['province', 'city', 'district'] as const;

export const region: OrderTemplate<Params> = {
  kind: 'order',
  name: 'region',
  paysChain: false,
  params: () => paramsSchema,
  maxChainPayees: (params) => TIERS.filter((tier) => params.rates[tier] !== undefined).length,
  compute(rule, params, input, out) {
    const region = input.region;
    if (region === null) return;
    for (const line of input.lines) {
      const base = lineBase(line, params.base);
      for (const tier of TIERS) {
        const holder = input.regionHolders[tier];
        const tierRate = params.rates[tier];
        if (holder === undefined || tierRate === undefined) continue;
        const amount = applyRate(tierRate, base);
        if (amount === 0n) continue;
        out.add(
          holder,
          amount,
          !out.explaining
            ? null
            : {
                rule,
                template: 'region',
                to: holder,
                order: input.order,
                line: line.line,
                base: { kind: params.base, amount: base },
                rate: tierRate,
                exact: rateTimes(tierRate, base),
                amount,
                reason: `region.${tier}`,
                facts: { region, code: codeOf(region, tier) },
              },
        );
      }
    }
  },
};

export function codeOf(district: string, tier: (typeof TIERS)[number]): string {
  return district.slice(0, tier === 'province' ? 2 : tier === 'city' ? 4 : 6);
}
