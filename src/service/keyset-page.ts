/**
 * One page of a keyset (cursor) pagination over an unsorted list: the `limit` smallest keys
 * greater than `after`, in order. A page costs one pass over the list and no sort of it (a
 * bounded sorted buffer: O(n log limit)), so a member with 100,000 direct children is paged
 * without keeping a sorted copy that every move would have to maintain.
 */
export function keysetPage<T>(items: Iterable<T>, key: (item: T) => string, after: string | null, limit: number): T[] {
  const keys: string[] = [];
  const page: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (after !== null && k <= after) continue;
    if (keys.length === limit && k >= keys[limit - 1]!) continue;
    const at = insertionPoint(keys, k);
    keys.splice(at, 0, k);
    page.splice(at, 0, item);
    if (keys.length > limit) {
      keys.pop();
      page.pop();
    }
  }
  return page;
}

function insertionPoint(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
