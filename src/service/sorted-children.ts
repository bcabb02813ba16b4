import type { Member } from '../engine/network.ts';
import { lowerBound } from './sorted-ids.ts';

/** One member's direct children in id order: their ids (for binary search) and the members. */
export interface ChildList {
  readonly ids: readonly string[];
  readonly members: readonly Member[];
}

const byId = (a: Member, b: Member): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The direct children of the members whose downline was read, each list sorted by id once and
 * then kept sorted as members join and move (a binary search and an insertion, not a new sort),
 * so that every page of a downline of 15,000 is a binary search and a slice, not a pass over
 * 15,000 members scattered in the heap. Lists exist only for members someone paged through.
 */
export class SortedChildren {
  private readonly lists = new Map<Member, { ids: string[]; members: Member[] }>();

  /** The children of `parent` in id order (sorted now if nobody asked before). */
  of(parent: Member): ChildList {
    let list = this.lists.get(parent);
    if (!list) {
      const members = [...(parent.children ?? [])].sort(byId);
      list = { ids: members.map((member) => member.id), members };
      this.lists.set(parent, list);
    }
    return list;
  }

  /** `child` was attached under `parent`. */
  attached(parent: Member, child: Member): void {
    const list = this.lists.get(parent);
    if (!list) return;
    const at = lowerBound(list.ids, child.id);
    if (list.members[at] === child) return;
    list.ids.splice(at, 0, child.id);
    list.members.splice(at, 0, child);
  }

  /** `child` left `parent`. */
  detached(parent: Member, child: Member): void {
    const list = this.lists.get(parent);
    if (!list) return;
    const at = lowerBound(list.ids, child.id);
    if (list.members[at] !== child) return;
    list.ids.splice(at, 1);
    list.members.splice(at, 1);
  }
}
