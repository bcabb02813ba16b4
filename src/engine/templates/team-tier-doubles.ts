import type { Minor } from '../../domain/types.ts';
import { ppmOf, ppmTimesWhole, SAFE_BASE, type RatePpm } from '../../money/rate.ts';
import { safeNumber } from '../../money/running-sum.ts';
import { compiledParams } from './compiled.ts';
import { teamTierExplanation, type Params, type TeamTable } from './team-tier.ts';
import type { AwardPart, Explanation } from './template.ts';

/**
 * The team-tier close in doubles: a month of a large network has hundreds of thousands of teams,
 * and a few BigInts each (the team, its g, what its children took) were a good part of the close.
 * Exact while every team is at most SAFE_BASE (90 million in major units): then ppm × T is
 * exact in a double (money/rate.ts), and so is each sum of children's g, which is at most their
 * parent's team. Null otherwise, and the close runs in BigInts (team-tier.ts). The explanation of
 * a part is made when someone asks for it (most closes are never asked why).
 */
export function partsInDoubles(
  rule: string,
  tiers: Params['tiers'],
  period: string,
  teams: Float64Array,
  table: TeamTable,
): AwardPart[] | null {
  const bounds = compiledParams(boundsByTiers, tiers, tierBounds);
  if (bounds === null) return null;
  const size = table.size;
  const teamAward = new Float64Array(size);
  const childrenAward = new Float64Array(size);
  for (let position = 0; position < size; position++) {
    const team = teams[position]!;
    if (team > SAFE_BASE || team < 0) return null;
    const tier = tierOf(bounds, team);
    const g = tier < 0 ? 0 : ppmTimesWhole(bounds.ppms[tier]!, team);
    teamAward[position] = g;
    const parent = table.parent(position);
    if (g !== 0 && parent >= 0) childrenAward[parent]! += g;
  }
  const parts: AwardPart[] = [];
  for (let position = 0; position < size; position++) {
    const g = teamAward[position]!;
    const children = childrenAward[position]!;
    if (g === 0 || g - children <= 0) continue;
    const team = teams[position]!;
    const rate = tiers[tierOf(bounds, team)]!.rate;
    parts.push(new TeamTierPart(table.id(position), { rule, period, team, rate, g, children }));
  }
  return parts;
}

/** The tiers' mins and rates as doubles, per tiers list (see compiled.ts); null when a min is not a safe integer. */
interface TierBounds {
  readonly mins: readonly number[];
  readonly ppms: readonly number[];
}

const boundsByTiers = new WeakMap<Params['tiers'], TierBounds | null>();

function tierBounds(tiers: Params['tiers']): TierBounds | null {
  const mins = tiers.map((tier) => safeNumber(tier.min));
  if (mins.some((min) => min === null)) return null;
  return { mins: mins as number[], ppms: tiers.map((tier) => ppmOf(tier.rate)) };
}

/** The highest tier whose min is at most `team` (tiers rise by min), or −1 (team-tier.ts tierRate). */
function tierOf(bounds: TierBounds, team: number): number {
  let chosen = -1;
  for (let tier = 0; tier < bounds.mins.length; tier++) if (bounds.mins[tier]! <= team) chosen = tier;
  return chosen;
}

interface Figures {
  readonly rule: string;
  readonly period: string;
  readonly team: number;
  readonly rate: RatePpm;
  readonly g: number;
  readonly children: number;
}

/** A member's part, its explanation made at the first look. */
class TeamTierPart implements AwardPart {
  readonly amount: Minor;
  #figures: Figures;
  #explanation: Explanation | null = null;

  constructor(
    readonly to: string,
    figures: Figures,
  ) {
    this.amount = BigInt(figures.g - figures.children);
    this.#figures = figures;
  }

  get explanation(): Explanation {
    if (this.#explanation !== null) return this.#explanation;
    const { rule, period, team, rate, g, children } = this.#figures;
    const figures = {
      rule,
      period,
      to: this.to,
      team: BigInt(team),
      rate,
      g: BigInt(g),
      children: BigInt(children),
      amount: this.amount,
    };
    return (this.#explanation = teamTierExplanation(figures));
  }
}
