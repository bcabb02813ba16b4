import { assert } from '../domain/errors.ts';
import type { Minor } from '../money/money.ts';
import { addTo, asSum, isZero, sumValue, type RunningSum } from '../money/running-sum.ts';
import type { DistributorRole, InstantMs, Role } from '../domain/types.ts';
import type { BalanceSlot } from './ledger.ts';
import type { BuyerStats } from './state.ts';

/** What a guest bought, as a member's figures start from it (events/purchases.ts BuyerFigures). */
export interface GuestFigures {
  readonly spendSum: RunningSum;
  readonly orders: number;
  readonly skus: Map<string, number> | null;
}
import type { ChainLink } from './templates/template.ts';
import { MemberIndex } from './member-index.ts';

/** The state of a member's place in the network from an instant on (for as-of queries). */
export interface Placement {
  readonly from: InstantMs;
  readonly parent: string | null;
  readonly role: Role;
  readonly level: number;
  readonly regions: readonly string[];
}

/** Shared by every member that holds no region (most do not): an array each would cost 32 MB a million. */
const NO_REGIONS: readonly string[] = Object.freeze([]);

/** The chain of no one (an order without a seller): one shared empty array. */
const NO_LINKS: readonly ChainLink[] = Object.freeze([]);

/** Before any event: members of the starting network joined "long ago". */
export const LONG_AGO: InstantMs = -8.64e15;

export class Member implements BalanceSlot {
  // Fields in the order an order reads them: a buyer's role, parent and purchases, then an
  // upline member's sales, balance and chain, first; the rest after. A million members do not
  // stay in the cache, and each line of one an order reads is a miss.
  public role: Role;
  parent: Member | null = null;
  /** Next to `parent`: a sale adds to the team sales of every member up to the root. */
  #teamSales: RunningSum = 0;
  readonly id: string;
  public level: number;
  #bought = false;
  /**
   * What it bought as a member, from its first purchase as one on (see events/purchases.ts). Kept
   * in the member, which paying an order has at hand: an object of its own was a cache miss an order.
   */
  #boughtSpend: RunningSum = 0;
  #boughtOrders = 0;
  #personalSales: RunningSum = 0;
  /** Its ledger balance (see ledger.ts BalanceSlot): awards made as an order is paid post to it. */
  pendingSum: RunningSum = 0;
  availableSum: RunningSum = 0;
  balanceOpened = false;
  /** The chain from this member up, as chainOf last made it, and the network's shape version then. */
  #chain: readonly ChainLink[] | null = null;
  #chainVersion = -1;
  #link: ChainLink | null = null;
  children: Member[] | null = null;
  /**
   * Its children that are distributors, in no particular order: level conditions count direct
   * recruits (at a level) after every sale, and a shop's children are mostly its bound customers.
   */
  distributorChildren: Member[] | null = null;
  /** The marks for a level re-check it is in (see work.ts MemberMarks): the last one's number. */
  markedIn = 0;
  /** Start of the current binding (customers) — joined, bound or moved. */
  boundAt: InstantMs;
  /** Last join or promotion: activity for compression. */
  activeSince: InstantMs;
  regions: readonly string[] = NO_REGIONS;
  /** Earlier placements, oldest first; null while the member never changed. */
  history: Placement[] | null = null;
  /** When the current placement began. */
  changedAt: InstantMs;
  #boughtSkus: Map<string, number> | null = null;
  readonly joinedAt: InstantMs;
  /** Order of entry into the network (tie-breaks favour the earliest). */
  readonly entrySeq: number;

  constructor(id: string, role: Role, level: number, joinedAt: InstantMs, entrySeq: number) {
    this.role = role;
    this.id = id;
    this.level = level;
    this.boundAt = joinedAt;
    this.activeSince = joinedAt;
    this.changedAt = joinedAt;
    this.joinedAt = joinedAt;
    this.entrySeq = entrySeq;
  }

  /** What it has bought as a member (recruiting conditions), or null before its first purchase as one. */
  get purchases(): BuyerStats | null {
    return this.#bought ? { spend: sumValue(this.#boughtSpend), orders: this.#boughtOrders, skus: this.#boughtSkus } : null;
  }

  /**
   * Adds to what it bought: `spend` (a running sum), `orders` (+1, −1 or 0). Its first purchase as
   * a member starts from what it bought as a guest, if anything (in `guests`, by id).
   */
  addPurchase(spend: RunningSum, orders: number, guests: ReadonlyMap<string, GuestFigures>): void {
    if (!this.#bought) {
      this.#bought = true;
      const guest = guests.get(this.id);
      if (guest !== undefined) {
        this.#boughtSpend = guest.spendSum;
        this.#boughtOrders = guest.orders;
        this.#boughtSkus = guest.skus;
      }
    }
    this.#boughtSpend = addTo(this.#boughtSpend, spend);
    this.#boughtOrders += orders;
  }

  /** Its net quantities by SKU (made at the first; kept only when a plan recruits on buying a SKU). */
  boughtSkus(): Map<string, number> {
    return (this.#boughtSkus ??= new Map());
  }

  /** Net paid sold by this member (level conditions). */
  get personalSales(): Minor {
    return sumValue(this.#personalSales);
  }

  /** Net paid sold by this member and everyone below it now (level conditions). */
  get teamSales(): Minor {
    return sumValue(this.#teamSales);
  }

  /** Whether personal sales reach `threshold`, without making a BigInt (re-checked after every sale). */
  personalSalesReach(threshold: Minor): boolean {
    return this.#personalSales >= threshold;
  }

  /** The same for team sales. */
  teamSalesReach(threshold: Minor): boolean {
    return this.#teamSales >= threshold;
  }

  /** Only the network calls these (sales, refunds, moves). */
  addPersonalSales(amount: RunningSum): void {
    this.#personalSales = addTo(this.#personalSales, amount);
  }

  addTeamSales(amount: RunningSum): void {
    this.#teamSales = addTo(this.#teamSales, amount);
  }

  get isDistributor(): boolean {
    return this.role !== 'customer';
  }

  /** The chain made at shape version `version`, or null when none was made since the shape changed. */
  cachedChain(version: number): readonly ChainLink[] | null {
    return this.#chainVersion === version ? this.#chain : null;
  }

  /** The chain made last, whatever the shape version then (null before the first). */
  get lastChain(): readonly ChainLink[] | null {
    return this.#chain;
  }

  cacheChain(chain: readonly ChainLink[], version: number): void {
    this.#chain = chain;
    this.#chainVersion = version;
  }

  /** This member as a link of an order's chain, with its level of now (shared while it holds). */
  get link(): ChainLink {
    const link = this.#link;
    // role: read by CEL conditions (src/engine/cel); a customer promoted keeps its level but not its role.
    return link !== null && link.level === this.level && link.role === this.role
      ? link
      : // A literal, not an instance of a class: V8 can then make these long-lived objects in the
        // old generation at once (a class of links, tried, left more to the young collector).
        (this.#link = { id: this.id, level: this.level, role: this.role });
  }

  /** Whether `link` is this member's link of now (chains made since its level last changed hold it). */
  hasLink(link: ChainLink): boolean {
    return this.#link === link;
  }

  placement(from: InstantMs): Placement {
    return { from, parent: this.parent?.id ?? null, role: this.role, level: this.level, regions: this.regions };
  }
}

/**
 * Whether `chain` is the chain of `member` now: its first `walked` links are those of `member` and
 * the members above it, each as it is now (a link is replaced when its member's level or role
 * changes), and the rest is `above` (the chain of the member above them, made at this version).
 */
function sameChain(chain: readonly ChainLink[], member: Member, walked: number, above: readonly ChainLink[]): boolean {
  if (chain.length !== walked + above.length) return false;
  let cursor: Member | null = member;
  for (let position = 0; position < walked; position++, cursor = cursor!.parent)
    if (chain[position] !== cursor!.link) return false;
  for (let position = 0; position < above.length; position++) if (chain[walked + position] !== above[position]) return false;
  return true;
}

/**
 * Told of every change to the tree's shape, for a read-side index kept beside the network (the
 * member directory of src/service); the engine itself never needs one.
 */
export interface NetworkObserver {
  /** `member` entered the network, already attached to its parent if it has one. */
  added(member: Member): void;
  /** `member` was attached to its current parent (or none), leaving `from` (null: it had none). */
  moved(member: Member, from: Member | null): void;
}

/**
 * The sales network with its full history. Only the engine mutates it, and only through these
 * methods, each of which records what it changed so that any instant can be queried later.
 */
export class Network {
  /** Every member by id (see MemberIndex), and in order of entry (what `all` iterates). */
  readonly #byId = new MemberIndex<Member>();
  readonly #members: Member[] = [];
  private readonly regionHolders = new Map<string, Member>();
  private readonly regionHistory = new Map<string, { from: InstantMs; holder: string | null }[]>();
  private nextSeq = 0;
  /**
   * Counts the changes that can change an existing member's chain (a move, a promotion, a level
   * changed): a chain made at one version is still exact at the same version, so orders of the
   * same seller share one chain until the next such change (see chainOf).
   */
  private shapeVersion = 0;
  /** A read-side index following the tree's shape; null (no cost) until a reader attaches one. */
  observer: NetworkObserver | null = null;

  get size(): number {
    return this.#members.length;
  }

  get(id: string): Member | undefined {
    return this.#byId.get(id);
  }

  all(): IterableIterator<Member> {
    return this.#members.values();
  }

  *distributors(): Generator<Member> {
    for (const member of this.#members) if (member.isDistributor) yield member;
  }

  add(id: string, role: Role, level: number, parent: Member | null, at: InstantMs): Member {
    assert(this.#byId.get(id) === undefined, `member ${id} already exists`);
    const member = new Member(id, role, role === 'customer' ? 0 : level, at, this.nextSeq++);
    this.#byId.add(member);
    this.#members.push(member);
    // A new leaf: no chain made before passes through it, so the shape version stays.
    if (parent) this.attach(member, parent);
    this.observer?.added(member);
    return member;
  }

  /** Links a member of the starting network to its parent (listed in any order). */
  attachInitial(member: Member, parent: Member): void {
    this.shapeVersion += 1;
    this.attach(member, parent);
    this.observer?.moved(member, null);
  }

  /** True when `ancestor` is `member` or above it now. */
  isAncestorOrSelf(ancestor: Member, member: Member): boolean {
    for (let cursor: Member | null = member; cursor; cursor = cursor.parent) if (cursor === ancestor) return true;
    return false;
  }

  move(member: Member, parent: Member | null, at: InstantMs): void {
    const from = member.parent;
    this.remember(member, at);
    this.shapeVersion += 1;
    const team = member.teamSales;
    if (member.parent) {
      this.addTeamSales(member.parent, asSum(-team));
      this.detach(member);
    }
    if (parent) {
      this.attach(member, parent);
      this.addTeamSales(parent, asSum(team));
    }
    member.boundAt = at;
    this.observer?.moved(member, from);
  }

  promote(member: Member, role: DistributorRole, level: number, at: InstantMs): void {
    this.remember(member, at);
    this.shapeVersion += 1;
    if (!member.isDistributor && member.parent !== null) (member.parent.distributorChildren ??= []).push(member);
    member.role = role;
    member.level = level;
    member.activeSince = at;
  }

  setLevel(member: Member, level: number, at: InstantMs): void {
    this.remember(member, at);
    this.shapeVersion += 1;
    member.level = level;
  }

  holderOf(code: string): Member | undefined {
    return this.regionHolders.get(code);
  }

  setRegions(member: Member, regions: readonly string[], at: InstantMs): void {
    this.remember(member, at);
    for (const code of member.regions) this.recordHolder(code, null, at);
    member.regions = [...regions];
    for (const code of regions) this.recordHolder(code, member, at);
  }

  /**
   * Adds a sale (or, negative, a refund) to the seller's personal and everyone's team sales: a
   * running sum, a number while it is a safe integer (no BigInt per member of the upline).
   */
  addSale(seller: Member, amount: RunningSum): void {
    if (isZero(amount)) return;
    seller.addPersonalSales(amount);
    this.addTeamSales(seller, amount);
  }

  /**
   * The chain from `member` up to the root, with the levels of now. Every paid order keeps its
   * chain, and most sellers sell again before the network changes shape: they share one array
   * (read-only: nothing writes a chain) instead of walking the upline and keeping a copy per order.
   */
  chainOf(member: Member | null): readonly ChainLink[] {
    if (member === null) return NO_LINKS;
    const version = this.shapeVersion;
    return member.cachedChain(version) ?? this.remakeChain(member, version);
  }

  /** chainOf when the shape changed since `member`'s chain was made (or none was made yet). */
  private remakeChain(member: Member, version: number): readonly ChainLink[] {
    // Walked up to the first member with a chain of its own (a seller above, often), whose chain
    // is copied from one array instead of walking every member above it (a cache miss or two each).
    let walked = 0;
    let above: readonly ChainLink[] = NO_LINKS;
    for (let cursor: Member | null = member; cursor !== null; cursor = cursor.parent) {
      const chain = cursor === member ? null : cursor.cachedChain(version);
      if (chain !== null) {
        above = chain;
        break;
      }
      walked += 1;
    }
    // Most changes of shape (a level changed somewhere) leave this chain as it was: the chain made
    // last is then kept, and the orders sharing it stay one array, instead of a copy per order
    // that each order would keep (the young collector copied them all, twice, in a simulation).
    const last = member.lastChain;
    if (last !== null && sameChain(last, member, walked, above)) {
      member.cacheChain(last, version);
      return last;
    }
    const chain = new Array<ChainLink>(walked + above.length);
    let cursor: Member | null = member;
    for (let position = 0; position < walked; position++, cursor = cursor!.parent) chain[position] = cursor!.link;
    for (let position = 0; position < above.length; position++) chain[walked + position] = above[position]!;
    member.cacheChain(chain, version);
    return chain;
  }

  // ----- as-of queries -------------------------------------------------------------------------

  /** Where `id` stood at instant `at`, or undefined when it was not a member then. */
  placementAt(id: string, at: InstantMs): Placement | undefined {
    const member = this.#byId.get(id);
    if (!member || member.joinedAt > at) return undefined;
    const history = member.history;
    if (history) {
      for (let i = history.length - 1; i >= 0; i--) {
        const entry = history[i]!;
        if (entry.from > at) continue;
        // history[i] holds the placement from entry.from until the next change.
        const nextChange = i + 1 < history.length ? history[i + 1]!.from : member.changedAt;
        return at < nextChange ? entry : member.placement(nextChange);
      }
    }
    return member.placement(member.joinedAt);
  }

  /** The upline of `id` at instant `at`: itself first, then its parents. */
  uplineAt(id: string, at: InstantMs): { id: string; role: Role; level: number }[] {
    const upline: { id: string; role: Role; level: number }[] = [];
    const seen = new Set<string>();
    for (let cursor: string | null = id; cursor !== null && !seen.has(cursor);) {
      seen.add(cursor);
      const placement = this.placementAt(cursor, at);
      if (!placement) break;
      upline.push({ id: cursor, role: placement.role, level: placement.level });
      cursor = placement.parent;
    }
    return upline;
  }

  /** Direct downline of `id` at instant `at`. */
  childrenAt(id: string, at: InstantMs): string[] {
    const children: string[] = [];
    for (const member of this.#members) {
      if (member.id !== id && this.placementAt(member.id, at)?.parent === id) children.push(member.id);
    }
    return children;
  }

  regionHolderAt(code: string, at: InstantMs): string | null {
    const history = this.regionHistory.get(code);
    if (!history) return null;
    let holder: string | null = null;
    for (const entry of history) if (entry.from <= at) holder = entry.holder;
    return holder;
  }

  // ----- internals -----------------------------------------------------------------------------

  /** Records the placement that ends now, so that earlier instants still see it. */
  private remember(member: Member, at: InstantMs): void {
    (member.history ??= []).push(member.placement(member.changedAt));
    member.changedAt = at;
  }

  private recordHolder(code: string, holder: Member | null, at: InstantMs): void {
    if (holder) this.regionHolders.set(code, holder);
    else this.regionHolders.delete(code);
    let history = this.regionHistory.get(code);
    if (!history) this.regionHistory.set(code, (history = []));
    history.push({ from: at, holder: holder?.id ?? null });
  }

  private attach(member: Member, parent: Member): void {
    member.parent = parent;
    (parent.children ??= []).push(member);
    if (member.isDistributor) (parent.distributorChildren ??= []).push(member);
  }

  private detach(member: Member): void {
    const siblings = member.parent!.children!;
    siblings.splice(siblings.indexOf(member), 1);
    if (member.isDistributor) {
      const distributors = member.parent!.distributorChildren!;
      distributors.splice(distributors.indexOf(member), 1);
    }
    member.parent = null;
  }

  private addTeamSales(from: Member, amount: RunningSum): void {
    if (isZero(amount)) return;
    for (let cursor: Member | null = from; cursor; cursor = cursor.parent) cursor.addTeamSales(amount);
  }
}
