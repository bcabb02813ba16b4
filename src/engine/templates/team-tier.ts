import { z } from 'zod';
import { applyRate, exact, rateTimes, type RatePpm } from '../../money/rate.ts';
import { days, money, rate } from '../../schema/primitives.ts';
import type { AwardPart, PeriodTemplate, SchemaContext } from './template.ts';

/**
 * 团队业绩阶梯: at period close each distributor's team earns g = tierRate(T) × T, and the member
 * keeps what its distributor children's teams did not already take: g(m) − Σ g(child), never < 0.
 */
const paramsSchema = (context: SchemaContext) =>
  z.strictObject({
    period: z.enum(['month', 'quarter', 'year']),
    tiers: z
      .array(z.strictObject({ min: money(context.decimals), rate }))
      .min(1, 'give at least one tier')
      .refine((tiers) => tiers.every((tier, i) => i === 0 || tier.min > tiers[i - 1]!.min), 'tiers must rise by `min`'),
    closeDelayDays: days.default(0),
  });
type Params = z.output<ReturnType<typeof paramsSchema>>;

export function tierRate(tiers: Params['tiers'], teamSales: bigint): RatePpm {
  let chosen = 0n;
  for (const tier of tiers) if (tier.min <= teamSales) chosen = tier.rate;
  return chosen;
}

export const teamTier: PeriodTemplate<Params> = {
  kind: 'period',
  name: 'team-tier',
  paysChain: true,
  params: paramsSchema,
  period: (params) => params.period,
  closeDelayDays: (params) => params.closeDelayDays,
  maxChainPayees: () => null,
  compute(rule, params, input) {
    const teamAward = new Map<string, bigint>();
    const childrenAward = new Map<string, bigint>();
    for (const [member, team] of input.teamSales) {
      const g = applyRate(tierRate(params.tiers, team), exact(team));
      if (g === 0n) continue;
      teamAward.set(member, g);
      const parent = input.parentOf(member);
      if (parent !== null) childrenAward.set(parent, (childrenAward.get(parent) ?? 0n) + g);
    }
    const parts: AwardPart[] = [];
    for (const [member, g] of teamAward) {
      const children = childrenAward.get(member) ?? 0n;
      const amount = g - children;
      if (amount <= 0n) continue;
      const team = input.teamSales.get(member)!;
      const memberRate = tierRate(params.tiers, team);
      parts.push({
        to: member,
        amount,
        explanation: {
          rule, template: 'team-tier', to: member, period: input.period,
          base: { kind: 'teamSales', amount: exact(team) }, rate: memberRate,
          exact: { num: rateTimes(memberRate, exact(team)).num - children * 1_000_000n, den: 1_000_000n },
          amount, reason: 'team-tier.differential',
          facts: { teamAward: g.toString(), childrenAward: children.toString() },
        },
      });
    }
    return parts;
  },
};
