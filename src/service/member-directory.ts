import type { Member, Network, NetworkObserver } from '../engine/network.ts';
import type { InstantMs } from '../domain/types.ts';
import { SortedChildren } from './sorted-children.ts';
import { SortedIds, upperBound } from './sorted-ids.ts';

/** A page of a keyset pagination: `next` is the cursor of the following page (null: the last). */
export interface KeysetPage<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly next: string | null;
}

/**
 * The read side of a tenant's network for the console and the API: members by id prefix, a
 * member's direct downline page by page (now or as of an instant), and team sizes, each without
 * walking the network or a subtree per request. Built once, on first use, from the network as it
 * is, then kept up to date by the network's observer hook as members join and move.
 */
export class MemberDirectory implements NetworkObserver {
  private readonly ids: SortedIds;
  /** Members below each member (all levels, now), by entrySeq (dense from 0). */
  private below: Int32Array;
  /** Members that once had a parent they since left, by that parent's id: the as-of downline's other candidates. */
  private readonly formerChildren = new Map<string, Set<Member>>();
  private readonly sorted = new SortedChildren();

  constructor(private readonly network: Network) {
    const members = Array.from(network.all());
    this.ids = new SortedIds(members.map((member) => member.id));
    this.below = new Int32Array(Math.max(1024, Math.ceil(members.length * 1.25)));
    this.countTeams(members);
    for (const member of members) this.rememberFormerParents(member);
  }

  // ----- queries ---------------------------------------------------------------------------------

  /** Members below `member` now, all levels (itself not counted). */
  teamSize(member: Member): number {
    return this.below[member.entrySeq] ?? 0;
  }

  /** Ids starting with `prefix`, in code-unit order, after the cursor `after`. */
  search(prefix: string, after: string | null, limit: number, skip = 0): KeysetPage<string> {
    const items = this.ids.page(prefix, after, limit + 1, skip);
    return pageOf(items, limit, this.ids.count(prefix), (id) => id);
  }

  /** The direct downline of `member` now, in id order, after the cursor `after` (then `skip` more). */
  children(member: Member, after: string | null, limit: number, skip = 0): KeysetPage<Member> {
    const { ids, members } = this.sorted.of(member);
    const from = (after === null ? 0 : upperBound(ids, after)) + skip;
    return pageOf(members.slice(from, from + limit + 1), limit, members.length, idOf);
  }

  /**
   * The direct downline of `member` at `at`, in id order, after the cursor `after` (then `skip`
   * more): today's children and those that left it since, each kept when it was a child at `at`.
   */
  childrenAt(member: Member, at: InstantMs, after: string | null, limit: number, skip = 0): KeysetPage<string> {
    const current = this.sorted.of(member).members;
    const former = [...(this.formerChildren.get(member.id) ?? [])].filter((m) => m.parent !== member).sort(byId);
    // A member that never changed has been where it is since it joined: no history to look up.
    const wasChild = (c: Member) =>
      c.history === null ? c.joinedAt <= at && c.parent === member : this.network.placementAt(c.id, at)?.parent === member.id;
    let total = 0;
    for (const c of current) if (wasChild(c)) total++;
    for (const c of former) if (wasChild(c)) total++;
    const items: string[] = [];
    for (const c of mergeById(current, former, after)) {
      if (items.length > limit) break;
      if (!wasChild(c)) continue;
      if (skip > 0) skip--;
      else items.push(c.id);
    }
    return pageOf(items, limit, total, (id) => id);
  }

  // ----- the network's observer --------------------------------------------------------------------

  added(member: Member): void {
    this.ids.add(member.id);
    if (member.entrySeq >= this.below.length) this.grow(member.entrySeq);
    this.addBelow(member.parent, 1);
    if (member.parent) this.sorted.attached(member.parent, member);
  }

  moved(member: Member, from: Member | null): void {
    const team = this.teamSize(member) + 1;
    this.addBelow(from, -team);
    this.addBelow(member.parent, team);
    if (from) this.sorted.detached(from, member);
    if (member.parent) this.sorted.attached(member.parent, member);
    if (from !== null && from !== member.parent) formerSet(this.formerChildren, from.id).add(member);
  }

  // ----- internals -------------------------------------------------------------------------------

  /** Adds `count` to the team size of `from` and every member above it. */
  private addBelow(from: Member | null, count: number): void {
    const below = this.below;
    for (let cursor = from; cursor; cursor = cursor.parent) below[cursor.entrySeq]! += count;
  }

  /** Team sizes of every member in one pass: children before parents (a depth-first order, reversed). */
  private countTeams(members: readonly Member[]): void {
    const order: Member[] = [];
    const stack = members.filter((member) => member.parent === null);
    while (stack.length > 0) {
      const member = stack.pop()!;
      order.push(member);
      for (const child of member.children ?? []) stack.push(child);
    }
    const below = this.below;
    for (let i = order.length - 1; i >= 0; i--) {
      const member = order[i]!;
      if (member.parent) below[member.parent.entrySeq]! += below[member.entrySeq]! + 1;
    }
  }

  private rememberFormerParents(member: Member): void {
    for (const placement of member.history ?? []) {
      if (placement.parent !== null && placement.parent !== member.parent?.id)
        formerSet(this.formerChildren, placement.parent).add(member);
    }
  }

  private grow(seq: number): void {
    const bigger = new Int32Array(Math.max(seq + 1, this.below.length * 2));
    bigger.set(this.below);
    this.below = bigger;
  }
}

const directories = new WeakMap<Network, MemberDirectory>();

/** The directory of `network`, built on first use and attached to it (it follows every change from then on). */
export function directoryOf(network: Network): MemberDirectory {
  let directory = directories.get(network);
  if (!directory) {
    directory = new MemberDirectory(network);
    directories.set(network, directory);
    network.observer = directory;
  }
  return directory;
}

const idOf = (member: Member): string => member.id;
const byId = (a: Member, b: Member): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The members of two id-sorted lists in id order, from after the cursor `after`. */
function* mergeById(a: readonly Member[], b: readonly Member[], after: string | null): Generator<Member> {
  let i = after === null ? 0 : upperBoundOf(a, after);
  let j = after === null ? 0 : upperBoundOf(b, after);
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.id < b[j]!.id)) yield a[i++]!;
    else yield b[j++]!;
  }
}

function upperBoundOf(members: readonly Member[], key: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (members[mid]!.id <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function formerSet(map: Map<string, Set<Member>>, parent: string): Set<Member> {
  let set = map.get(parent);
  if (!set) map.set(parent, (set = new Set()));
  return set;
}

/** A page from up to limit + 1 items: the extra one only says there is a next page. */
function pageOf<T>(items: readonly T[], limit: number, total: number, key: (item: T) => string): KeysetPage<T> {
  const page = items.length > limit ? items.slice(0, limit) : items;
  return { items: page, total, next: items.length > limit ? key(page[page.length - 1]!) : null };
}
