import type { Minor } from '../domain/types.ts';
import { safeNumber } from '../money/running-sum.ts';
import type { Member } from './network.ts';
import type { OrderBook } from './order-book.ts';

/**
 * T(m) at a period's close: the net paid of the period's orders sold by m or by anyone below m
 * in the network at close, for every member some seller of the period reaches (DOMAIN.md,
 * team-tier). A read-only Map from member id to T, in the order the members were first reached:
 * each seller (in the order of its first sale) and then its uplines.
 *
 * Why not a Map: a month of a large network reaches hundreds of thousands of members, and
 * summing into a Map of BigInts keyed by id, a lookup and a new BigInt per member of every
 * seller's upline, was most of the close. Here the sums are doubles in typed arrays, exact while
 * they are safe integers (`build` gives up otherwise, and the close sums BigInts as before).
 */
export class TeamSales implements ReadonlyMap<string, Minor> {
  private constructor(
    /** The members reached, in order. */
    readonly members: readonly Member[],
    /** T of members[i]. */
    readonly teams: Float64Array,
    /** The position of members[i]'s parent among the members (a parent is always reached), or −1. */
    readonly parents: Int32Array,
    /** The position of each member reached, by entry number (Member.entrySeq); −1 for the others. */
    private readonly positions: Int32Array,
    private readonly byId: (id: string) => Member | undefined,
  ) {}

  /** The team sales of `orders` over a network of `size` members; null when a sum is not a safe integer. */
  static build(
    book: OrderBook,
    orders: readonly number[],
    size: number,
    byId: (id: string) => Member | undefined,
  ): TeamSales | null {
    const sellers = salesBySeller(book, orders, size);
    if (sellers === null) return null;
    const positions = new Int32Array(size).fill(-1);
    const members = reached(sellers.members, positions);
    const parents = Int32Array.from(members, (member) => (member.parent === null ? -1 : positions[member.parent.entrySeq]!));
    const teams = new Float64Array(members.length);
    for (let i = 0; i < sellers.members.length; i++) teams[positions[sellers.members[i]!.entrySeq]!] = sellers.sums[i]!;
    return sumUpward(teams, parents) ? new TeamSales(members, teams, parents, positions, byId) : null;
  }

  get size(): number {
    return this.members.length;
  }

  /** T of the member at `position`. */
  team(position: number): Minor {
    return BigInt(this.teams[position]!);
  }

  get(id: string): Minor | undefined {
    const position = this.#positionOf(id);
    return position < 0 ? undefined : this.team(position);
  }

  has(id: string): boolean {
    return this.#positionOf(id) >= 0;
  }

  *entries(): MapIterator<[string, Minor]> {
    for (let position = 0; position < this.members.length; position++) yield [this.members[position]!.id, this.team(position)];
  }

  *keys(): MapIterator<string> {
    for (const member of this.members) yield member.id;
  }

  *values(): MapIterator<Minor> {
    for (let position = 0; position < this.members.length; position++) yield this.team(position);
  }

  [Symbol.iterator](): MapIterator<[string, Minor]> {
    return this.entries();
  }

  forEach(callback: (value: Minor, key: string, map: ReadonlyMap<string, Minor>) => void): void {
    for (const [id, team] of this.entries()) callback(team, id, this);
  }

  #positionOf(id: string): number {
    const member = this.byId(id);
    return member === undefined ? -1 : this.positions[member.entrySeq]!;
  }
}

/**
 * Net paid per seller, sellers in the order of their first sale of non-zero net paid (as the
 * close always took them; a seller whose sales net to zero later is still there, at zero).
 */
function salesBySeller(book: OrderBook, orders: readonly number[], size: number): { members: Member[]; sums: number[] } | null {
  const positions = new Int32Array(size).fill(-1);
  const members: Member[] = [];
  const sums: number[] = [];
  for (const order of orders) {
    const seller = book.seller(order);
    // As a RunningSum: a number while it is a safe integer (no BigInt made per order of the period).
    const netPaid = book.netPaidSum(order);
    if (seller === null || netPaid === 0 || netPaid === 0n) continue;
    const amount = typeof netPaid === 'number' ? netPaid : safeNumber(netPaid);
    let position = positions[seller.entrySeq]!;
    if (position < 0) {
      position = positions[seller.entrySeq] = members.push(seller) - 1;
      sums.push(0);
    }
    const sum = amount === null ? Number.NaN : sums[position]! + amount;
    if (!Number.isSafeInteger(sum)) return null;
    sums[position] = sum;
  }
  return { members, sums };
}

/**
 * The members the sellers reach, in the order first reached: each seller, then its uplines. A walk
 * stops at the first member already reached, whose uplines are all reached already: each member
 * is visited once, not once per seller below it. `positions` gets each one's place.
 */
function reached(sellers: readonly Member[], positions: Int32Array): Member[] {
  const members: Member[] = [];
  for (const seller of sellers) {
    for (let cursor: Member | null = seller; cursor !== null && positions[cursor.entrySeq]! < 0; cursor = cursor.parent) {
      positions[cursor.entrySeq] = members.push(cursor) - 1;
    }
  }
  return members;
}

/**
 * Adds each member's total to its parent's, children before parents (a member is summed once
 * every child is), so that teams[i] becomes its own sales plus its children's teams. False when
 * a sum is not a safe integer.
 */
function sumUpward(teams: Float64Array, parents: Int32Array): boolean {
  const waiting = new Int32Array(teams.length);
  for (const parent of parents) if (parent >= 0) waiting[parent]! += 1;
  const ready = new Int32Array(teams.length);
  let tail = 0;
  for (let i = 0; i < teams.length; i++) if (waiting[i] === 0) ready[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const child = ready[head]!;
    const parent = parents[child]!;
    if (parent < 0) continue;
    const sum = teams[parent]! + teams[child]!;
    if (!Number.isSafeInteger(sum)) return false;
    teams[parent] = sum;
    if (--waiting[parent]! === 0) ready[tail++] = parent;
  }
  return true;
}
