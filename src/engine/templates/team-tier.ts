import { z } from 'zod';
import { applyRate, exact, rateTimes, type RatePpm } from '../../money/rate.ts';
import { days, money, rate } from '../../schema/primitives.ts';
import type { Minor } from '../../domain/types.ts';
import { TeamSales } from '../team-sales.ts';
import { partsInDoubles } from './team-tier-doubles.ts';
import type { AwardPart, Explanation, PeriodInput, PeriodTemplate, SchemaContext } from './template.ts';

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
      // "The highest tier whose min ≤ T" does not depend on the order they are listed in: kept
      // by rising `min`; two tiers with one `min` would leave the rate open.
      .transform((tiers) => [...tiers].sort((a, b) => (a.min < b.min ? -1 : a.min > b.min ? 1 : 0)))
      .refine((tiers) => tiers.every((tier, i) => i === 0 || tier.min > tiers[i - 1]!.min), 'two tiers have the same `min`'),
    closeDelayDays: days.default(0),
  });
export type Params = z.output<ReturnType<typeof paramsSchema>>;

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
    const table = teamTable(input);
    // In doubles when every figure allows (team-tier-doubles.ts), else in BigInts: the same parts.
    const inDoubles = table.teams === undefined ? null : partsInDoubles(rule, params.tiers, input.period, table.teams, table);
    return inDoubles ?? partsInBigInts(rule, params.tiers, input.period, table);
  },
};

/** g(m) of every team, what each member's children's teams took (Σ g(child)), and each member's part. */
function partsInBigInts(rule: string, tiers: Params['tiers'], period: string, table: TeamTable): AwardPart[] {
  const teamAward: Minor[] = new Array<Minor>(table.size).fill(0n);
  const childrenAward: Minor[] = new Array<Minor>(table.size).fill(0n);
  for (let position = 0; position < table.size; position++) {
    const team = table.team(position);
    const g = applyRate(tierRate(tiers, team), exact(team));
    teamAward[position] = g;
    const parent = table.parent(position);
    if (g !== 0n && parent >= 0) childrenAward[parent] = childrenAward[parent]! + g;
  }
  const parts: AwardPart[] = [];
  for (let position = 0; position < table.size; position++) {
    const g = teamAward[position]!;
    const children = childrenAward[position]!;
    const amount = g - children;
    if (g === 0n || amount <= 0n) continue;
    const team = table.team(position);
    const to = table.id(position);
    parts.push({
      to,
      amount,
      explanation: teamTierExplanation({ rule, period, to, team, rate: tierRate(tiers, team), g, children, amount }),
    });
  }
  return parts;
}

/** Why a member got its team-tier part: its team's g, less its children's teams' g. */
export function teamTierExplanation(figures: {
  rule: string;
  period: string;
  to: string;
  team: Minor;
  rate: RatePpm;
  g: Minor;
  children: Minor;
  amount: Minor;
}): Explanation {
  const { rule, period, to, team, rate, g, children, amount } = figures;
  return {
    rule,
    template: 'team-tier',
    to,
    period,
    base: { kind: 'teamSales', amount: exact(team) },
    rate,
    exact: { num: rateTimes(rate, exact(team)).num - children * 1_000_000n, den: 1_000_000n },
    amount,
    reason: 'team-tier.differential',
    facts: { teamAward: g.toString(), childrenAward: children.toString() },
  };
}

/** T(m) by position, in the order of the period's team sales, with the position of each member's parent. */
export interface TeamTable {
  readonly size: number;
  /** T(m) as doubles, when the close summed them so (TeamSales). */
  readonly teams?: Float64Array;
  id(position: number): string;
  team(position: number): Minor;
  /** −1 for a root, or a parent without team sales. */
  parent(position: number): number;
}

/** The close's own TeamSales as it is; any other map of team sales with parents through `parentOf`. */
function teamTable(input: PeriodInput): TeamTable {
  const sales = input.teamSales;
  if (sales instanceof TeamSales) {
    return {
      size: sales.size,
      teams: sales.teams,
      id: (position) => sales.members[position]!.id,
      team: (position) => sales.team(position),
      parent: (position) => sales.parents[position]!,
    };
  }
  const ids = [...sales.keys()];
  const teams = [...sales.values()];
  const positions = new Map(ids.map((id, position) => [id, position]));
  const parents = ids.map((id) => {
    const parent = input.parentOf(id);
    return parent === null ? -1 : (positions.get(parent) ?? -1);
  });
  return {
    size: ids.length,
    id: (position) => ids[position]!,
    team: (position) => teams[position]!,
    parent: (position) => parents[position]!,
  };
}
