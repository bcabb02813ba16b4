import { z } from 'zod';
import { applyRate, exact } from '../../money/rate.ts';
import { days, level, rate } from '../../schema/primitives.ts';
import type { PeriodInput, PeriodMember, PeriodTemplate } from './template.ts';

/**
 * 分红: a share of the period's net sales, split among distributors of at least `minLevel`,
 * equally or by team sales, by largest remainder so that the parts sum exactly to the pool.
 */
const paramsSchema = z.strictObject({
  period: z.enum(['month', 'quarter', 'year']),
  share: rate,
  minLevel: level.default(1),
  weight: z.enum(['equal', 'teamSales']).default('equal'),
  closeDelayDays: days.default(0),
});
type Params = z.output<typeof paramsSchema>;

interface Weighted {
  readonly member: PeriodMember;
  readonly weight: bigint;
}

export const pool: PeriodTemplate<Params> = {
  kind: 'period',
  name: 'pool',
  paysChain: false,
  params: () => paramsSchema,
  period: (params) => params.period,
  closeDelayDays: (params) => params.closeDelayDays,
  maxChainPayees: () => null,
  compute(rule, params, input) {
    const total = applyRate(params.share, exact(input.sales));
    const weighted = eligible(params, input);
    const totalWeight = weighted.reduce((sum, entry) => sum + entry.weight, 0n);
    if (total <= 0n || totalWeight === 0n) return [];
    return splitLargestRemainder(total, weighted, totalWeight).map(([entry, amount]) => ({
      to: entry.member.id,
      amount,
      explanation: {
        rule,
        template: 'pool',
        to: entry.member.id,
        period: input.period,
        base: { kind: 'periodSales', amount: exact(input.sales) },
        rate: params.share,
        // The share of the pool as rounded (the sentence names that pool), before the split.
        exact: { num: total * entry.weight, den: totalWeight },
        amount,
        level: entry.member.level,
        reason: `pool.${params.weight}`,
        facts: { pool: total.toString(), weight: entry.weight.toString(), totalWeight: totalWeight.toString() },
      },
    }));
  },
};

function eligible(params: Params, input: PeriodInput): Weighted[] {
  const result: Weighted[] = [];
  for (const member of input.distributors()) {
    if (member.level < params.minLevel) continue;
    const weight = params.weight === 'equal' ? 1n : (input.teamSales.get(member.id) ?? 0n);
    if (weight > 0n) result.push({ member, weight });
  }
  return result;
}

/** Floor shares, then one more minor unit each to the largest remainders (ties: earliest entry). */
export function splitLargestRemainder(total: bigint, weighted: readonly Weighted[], totalWeight: bigint): [Weighted, bigint][] {
  const shares = weighted.map((entry) => ({
    entry,
    amount: (total * entry.weight) / totalWeight,
    remainder: (total * entry.weight) % totalWeight,
  }));
  let left = total - shares.reduce((sum, share) => sum + share.amount, 0n);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.entry.member.entrySeq - b.entry.member.entrySeq : a.remainder > b.remainder ? -1 : 1,
  );
  for (const share of byRemainder) {
    if (left === 0n) break;
    share.amount += 1n;
    left -= 1n;
  }
  return shares.filter((share) => share.amount > 0n).map((share) => [share.entry, share.amount]);
}
