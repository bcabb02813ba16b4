import { z } from 'zod';
import type { MemberInput, MemberJoined } from '../domain/types.ts';
import { cumulativeOf, fromCumulative, subSeed } from './distributions.ts';
import type { Month } from './months.ts';
import { Random } from './random.ts';

/** Parameters of a synthetic sales network (all optional; the defaults make a plausible shop). */
export const networkParamsSchema = z.strictObject({
  members: z.number().int().min(1).max(5_000_000).default(10_000).describe('members of the starting network'),
  distributorShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('share of members that are distributors (the rest are customers)'),
  roots: z.number().int().min(1).max(100_000).default(10).describe('root distributors (branches) the network grows from'),
  maxDepth: z.number().int().min(2).max(200).default(12).describe('depth limit of the distributor tree (levels, roots included)'),
  attachment: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe('share of new members placed by preferential attachment (∝ 1 + children: a power-law fan-out); the rest uniformly'),
  levelMix: z
    .array(z.number().min(0))
    .min(1)
    .max(20)
    .default([0.8, 0.15, 0.05])
    .refine((mix) => mix.some((share) => share > 0), 'at least one level needs a share above 0')
    .describe('relative shares of distributor levels 1, 2, 3, …'),
  joinRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.03)
    .describe('new members per month, as a share of the active members at its start'),
  churnRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe('share of active members going inactive each month (they stop buying and recruiting)'),
});
export type NetworkParams = z.infer<typeof networkParamsSchema>;

/**
 * A generated network in flat typed arrays (one slot per member, in order of entry: the starting
 * network first, then members joining month by month in time order), so that 10^5–10^6 members
 * cost a few MB and the order generator can draw buyers by index.
 */
export interface SyntheticNetwork {
  /** Every member that ever enters: the starting network, then the joiners. */
  readonly size: number;
  readonly startSize: number;
  readonly ids: readonly string[];
  /** Index of the parent, -1 for none. */
  readonly parent: Int32Array;
  readonly distributor: Uint8Array;
  /** Level of a distributor (≥ 1), 0 for a customer. */
  readonly level: Uint8Array;
  /** Depth of a distributor in the tree (roots 0). */
  readonly depth: Uint16Array;
  /** When the member joined (-Infinity: in the starting network). */
  readonly joinedAt: Float64Array;
  /** From when the member is inactive (Infinity: never). */
  readonly inactiveFrom: Float64Array;
  readonly joinsPerMonth: readonly number[];
  readonly churnPerMonth: readonly number[];
}

const ROLES = ['leader', 'leader', 'agency', 'branch'] as const;
const roleOf = (level: number) => ROLES[Math.min(level, 3)]!;

/** Generates the starting network and its growth (joins) and churn over `months`, from `seed`. */
export function generateNetwork(params: NetworkParams, months: readonly Month[], seed: number): SyntheticNetwork {
  const builder = new NetworkBuilder(params, new Random(subSeed(seed, 1)));
  for (let i = 0; i < params.members; i++) builder.add(-Infinity);
  const joinsPerMonth: number[] = [];
  const churnPerMonth: number[] = [];
  let inactive = 0;
  for (const month of months) {
    const present = builder.size;
    const churned = builder.churn(month, present);
    // Joins are a share of the members active at the start of the month.
    const joins = Math.round(params.joinRate * (present - inactive));
    inactive += churned;
    const length = month.end - month.start;
    // Stratified instants: in time order without sorting.
    for (let k = 0; k < joins; k++) builder.add(month.start + Math.floor(((k + builder.random.next()) / joins) * length));
    joinsPerMonth.push(joins);
    churnPerMonth.push(churned);
  }
  return builder.build(joinsPerMonth, churnPerMonth);
}

/** Grows the network one member at a time, in order of entry. */
class NetworkBuilder {
  private readonly parent: number[] = [];
  private readonly distributor: number[] = [];
  private readonly level: number[] = [];
  private readonly depth: number[] = [];
  private readonly joinedAt: number[] = [];
  private readonly inactiveFrom: number[] = [];
  private readonly distributors: number[] = [];
  /** Each distributor once, plus once per distributor child: a draw is ∝ 1 + children. */
  private readonly uplineTickets: number[] = [];
  /** Each distributor once, plus once per customer bound to it. */
  private readonly shopTickets: number[] = [];
  private readonly levelCumulative: Float64Array;

  constructor(
    private readonly params: NetworkParams,
    readonly random: Random,
  ) {
    this.levelCumulative = cumulativeOf(params.levelMix);
  }

  get size(): number {
    return this.parent.length;
  }

  /** A new member at `at`: a distributor under an upline, or a customer bound to a shop. */
  add(at: number): void {
    const { params, random, parent, depth, distributors } = this;
    const index = parent.length;
    const isDistributor = distributors.length < params.roots || random.next() < params.distributorShare;
    this.joinedAt.push(at);
    this.inactiveFrom.push(Infinity);
    this.distributor.push(isDistributor ? 1 : 0);
    if (isDistributor) {
      let p = -1;
      if (distributors.length >= params.roots) {
        p = this.pick(this.uplineTickets, at);
        while (p >= 0 && depth[p]! >= params.maxDepth - 1) p = parent[p]!;
      }
      parent.push(p);
      depth.push(p < 0 ? 0 : depth[p]! + 1);
      this.level.push(p < 0 ? params.levelMix.length : fromCumulative(random, this.levelCumulative) + 1);
      distributors.push(index);
      this.uplineTickets.push(index);
      this.shopTickets.push(index);
      if (p >= 0) this.uplineTickets.push(p);
    } else {
      const p = distributors.length > 0 ? this.pick(this.shopTickets, at) : -1;
      parent.push(p);
      depth.push(p < 0 ? 0 : depth[p]! + 1);
      this.level.push(0);
      if (p >= 0) this.shopTickets.push(p);
    }
  }

  /** Some of the first `present` members go inactive during `month`; answers how many. */
  churn(month: Month, present: number): number {
    const length = month.end - month.start;
    let churned = 0;
    for (let i = 0; i < present; i++) {
      if (this.inactiveFrom[i] === Infinity && this.random.next() < this.params.churnRate) {
        this.inactiveFrom[i] = month.start + Math.floor(this.random.next() * length);
        churned++;
      }
    }
    return churned;
  }

  /** A distributor still active at `at`: by preferential attachment (a ticket) or uniformly. */
  private pick(tickets: readonly number[], at: number): number {
    const { random, distributors } = this;
    let chosen = -1;
    for (let attempt = 0; attempt < 8; attempt++) {
      chosen =
        random.next() < this.params.attachment
          ? tickets[Math.floor(random.next() * tickets.length)]!
          : distributors[Math.floor(random.next() * distributors.length)]!;
      if (this.inactiveFrom[chosen]! > at) return chosen;
    }
    return chosen;
  }

  build(joinsPerMonth: number[], churnPerMonth: number[]): SyntheticNetwork {
    const size = this.parent.length;
    const width = String(size - 1).length;
    return {
      size,
      startSize: this.params.members,
      ids: Array.from({ length: size }, (_, i) => `m${String(i).padStart(width, '0')}`),
      parent: Int32Array.from(this.parent),
      distributor: Uint8Array.from(this.distributor),
      level: Uint8Array.from(this.level),
      depth: Uint16Array.from(this.depth),
      joinedAt: Float64Array.from(this.joinedAt),
      inactiveFrom: Float64Array.from(this.inactiveFrom),
      joinsPerMonth,
      churnPerMonth,
    };
  }
}

/** The starting network as the engine takes it (`Engine.create({members})`). */
export function startingMembers(network: SyntheticNetwork): MemberInput[] {
  const members: MemberInput[] = new Array<MemberInput>(network.startSize);
  for (let i = 0; i < network.startSize; i++) members[i] = memberInput(network, i);
  return members;
}

/** The `member.joined` event of a member that joins after the start. */
export function joinEvent(network: SyntheticNetwork, index: number): MemberJoined {
  return { type: 'member.joined', at: network.joinedAt[index]!, member: memberInput(network, index) };
}

function memberInput(network: SyntheticNetwork, i: number) {
  const p = network.parent[i]!;
  const parent = p < 0 ? null : network.ids[p]!;
  return network.distributor[i]
    ? { id: network.ids[i]!, role: roleOf(network.level[i]!), level: network.level[i]!, parent }
    : { id: network.ids[i]!, role: 'customer' as const, parent };
}

/** A few facts about a generated network, for reports. */
export function describeNetwork(network: SyntheticNetwork): {
  members: number;
  joined: number;
  churned: number;
  distributors: number;
  customers: number;
  byLevel: Record<string, number>;
  maxDepth: number;
  meanDepth: number;
  topFanOutShare: number;
  largestFanOut: number;
} {
  const children = new Uint32Array(network.size);
  let distributors = 0;
  let depthSum = 0;
  let maxDepth = 0;
  const byLevel: Record<string, number> = {};
  for (let i = 0; i < network.size; i++) {
    const p = network.parent[i]!;
    if (p >= 0) children[p]! += 1;
    if (!network.distributor[i]) continue;
    distributors++;
    depthSum += network.depth[i]!;
    maxDepth = Math.max(maxDepth, network.depth[i]! + 1);
    byLevel[network.level[i]!] = (byLevel[network.level[i]!] ?? 0) + 1;
  }
  const fanOut = Array.from(children.filter((_, i) => network.distributor[i] === 1)).sort((a, b) => b - a);
  const total = fanOut.reduce((sum, n) => sum + n, 0);
  const top = fanOut.slice(0, Math.max(1, Math.ceil(fanOut.length / 100))).reduce((sum, n) => sum + n, 0);
  return {
    members: network.size,
    joined: network.size - network.startSize,
    churned: network.churnPerMonth.reduce((sum, n) => sum + n, 0),
    distributors,
    customers: network.size - distributors,
    byLevel,
    maxDepth,
    meanDepth: distributors ? depthSum / distributors + 1 : 0,
    topFanOutShare: total ? top / total : 0,
    largestFanOut: fanOut[0] ?? 0,
  };
}
