import type { Member, Network, NetworkObserver } from '../engine/network.ts';
import type { InstantMs } from '../domain/types.ts';
import { keysetPage } from './keyset-page.ts';
import { SortedIds } from './sorted-ids.ts';

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

  constructor(private readonly network: Network) {
    const members = Array.from(network.all());
    this.ids = new SortedIds(members.map((member) => member.id));
    this.below = new Int32Array(Math.max(1024, Math.ceil(members.length * 1.25)));
    for (const member of members) {
      this.addBelow(member.parent, 1);
      this.rememberFormerParents(member);
    }
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
    const children = member.children ?? [];
    const items = keysetPage(children, idOf, after, skip + limit + 1).slice(skip);
    return pageOf(items, limit, children.length, idOf);
  }

  /** The direct downline of `member` at `at`, in id order, after the cursor `after` (then `skip` more). */
  childrenAt(member: Member, at: InstantMs, after: string | null, limit: number, skip = 0): KeysetPage<string> {
    const ids = new Set<string>();
    const consider = (candidate: Member) => {
      if (this.network.placementAt(candidate.id, at)?.parent === member.id) ids.add(candidate.id);
    };
    for (const child of member.children ?? []) consider(child);
    for (const former of this.formerChildren.get(member.id) ?? []) consider(former);
    const items = keysetPage(ids, (id) => id, after, skip + limit + 1).slice(skip);
    return pageOf(items, limit, ids.size, (id) => id);
  }

  // ----- the network's observer --------------------------------------------------------------------

  added(member: Member): void {
    this.ids.add(member.id);
    if (member.entrySeq >= this.below.length) this.grow(member.entrySeq);
    this.addBelow(member.parent, 1);
  }

  moved(member: Member, from: Member | null): void {
    const team = this.teamSize(member) + 1;
    this.addBelow(from, -team);
    this.addBelow(member.parent, team);
    if (from !== null && from !== member.parent) formerSet(this.formerChildren, from.id).add(member);
  }

  // ----- internals -------------------------------------------------------------------------------

  /** Adds `count` to the team size of `from` and every member above it. */
  private addBelow(from: Member | null, count: number): void {
    const below = this.below;
    for (let cursor = from; cursor; cursor = cursor.parent) below[cursor.entrySeq]! += count;
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
