import { assert } from '../domain/errors.ts';
import type { Minor } from '../money/money.ts';
import { addToSum, safeNumber, sumValue, type RunningSum } from '../money/running-sum.ts';
import type { DistributorRole, InstantMs, Role } from '../domain/types.ts';
import type { Balance, BalanceSlot } from './ledger.ts';
import type { BuyerFigures } from './events/purchases.ts';
import type { ChainLink } from './templates/template.ts';

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
  parent: Member | null = null;
  children: Member[] | null = null;
  /** Start of the current binding (customers) — joined, bound or moved. */
  boundAt: InstantMs;
  /** Last join or promotion: activity for compression. */
  activeSince: InstantMs;
  #personalSales: RunningSum = 0;
  #teamSales: RunningSum = 0;
  regions: readonly string[] = NO_REGIONS;
  /** Earlier placements, oldest first; null while the member never changed. */
  history: Placement[] | null = null;
  /** When the current placement began. */
  changedAt: InstantMs;
  /** Its ledger balance once it has one: awards made as an order is paid post through it. */
  balance: Balance | null = null;
  /** What it has bought once it has bought as a member (see events/purchases.ts). */
  purchases: BuyerFigures | null = null;

  constructor(
    readonly id: string,
    public role: Role,
    public level: number,
    readonly joinedAt: InstantMs,
    /** Order of entry into the network (tie-breaks favour the earliest). */
    readonly entrySeq: number,
  ) {
    this.boundAt = joinedAt;
    this.activeSince = joinedAt;
    this.changedAt = joinedAt;
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

  /** Only the network calls these (sales, refunds, moves); `asNumber` as for addToSum. */
  addPersonalSales(amount: Minor, asNumber: number | null): void {
    this.#personalSales = addToSum(this.#personalSales, amount, asNumber);
  }

  addTeamSales(amount: Minor, asNumber: number | null): void {
    this.#teamSales = addToSum(this.#teamSales, amount, asNumber);
  }

  get isDistributor(): boolean {
    return this.role !== 'customer';
  }

  #link: ChainLink | null = null;
  /** The chain from this member up, as chainOf last made it, and the network's shape version then. */
  #chain: readonly ChainLink[] | null = null;
  #chainVersion = -1;

  /** The chain made at shape version `version`, or null when none was made since the shape changed. */
  cachedChain(version: number): readonly ChainLink[] | null {
    return this.#chainVersion === version ? this.#chain : null;
  }

  cacheChain(chain: readonly ChainLink[], version: number): void {
    this.#chain = chain;
    this.#chainVersion = version;
  }

  /** This member as a link of an order's chain, with its level of now (shared while it holds). */
  get link(): ChainLink {
    const link = this.#link;
    // role: read by CEL conditions (src/engine/cel); a customer promoted keeps its level but not its role.
    return link !== null && link.level === this.level && link.role === this.role ? link : (this.#link = { id: this.id, level: this.level, role: this.role });
  }

  placement(from: InstantMs): Placement {
    return { from, parent: this.parent?.id ?? null, role: this.role, level: this.level, regions: this.regions };
  }
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
  private readonly members = new Map<string, Member>();
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
    return this.members.size;
  }

  get(id: string): Member | undefined {
    return this.members.get(id);
  }

  all(): IterableIterator<Member> {
    return this.members.values();
  }

  *distributors(): Generator<Member> {
    for (const member of this.members.values()) if (member.isDistributor) yield member;
  }

  add(id: string, role: Role, level: number, parent: Member | null, at: InstantMs): Member {
    assert(!this.members.has(id), `member ${id} already exists`);
    const member = new Member(id, role, role === 'customer' ? 0 : level, at, this.nextSeq++);
    this.members.set(id, member);
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
      this.addTeamSales(member.parent, -team);
      this.detach(member);
    }
    if (parent) {
      this.attach(member, parent);
      this.addTeamSales(parent, team);
    }
    member.boundAt = at;
    this.observer?.moved(member, from);
  }

  promote(member: Member, role: DistributorRole, level: number, at: InstantMs): void {
    this.remember(member, at);
    this.shapeVersion += 1;
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

  /** Adds a sale (or, negative, a refund) to the seller's personal and everyone's team sales. */
  addSale(seller: Member, amount: bigint): void {
    if (amount === 0n) return;
    const asNumber = safeNumber(amount);
    seller.addPersonalSales(amount, asNumber);
    this.addTeamSales(seller, amount, asNumber);
  }

  /**
   * The chain from `member` up to the root, with the levels of now. Every paid order keeps its
   * chain, and most sellers sell again before the network changes shape: they share one array
   * (read-only: nothing writes a chain) instead of walking the upline and keeping a copy per order.
   */
  chainOf(member: Member | null): readonly ChainLink[] {
    if (member === null) return NO_LINKS;
    const version = this.shapeVersion;
    const cached = member.cachedChain(version);
    if (cached !== null) return cached;
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
    const member = this.members.get(id);
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
    for (let cursor: string | null = id; cursor !== null && !seen.has(cursor); ) {
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
    for (const member of this.members.values()) {
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
  }

  private detach(member: Member): void {
    const siblings = member.parent!.children!;
    siblings.splice(siblings.indexOf(member), 1);
    member.parent = null;
  }

  private addTeamSales(from: Member, amount: bigint, asNumber: number | null = safeNumber(amount)): void {
    if (amount === 0n) return;
    for (let cursor: Member | null = from; cursor; cursor = cursor.parent) cursor.addTeamSales(amount, asNumber);
  }
}
