/**
 * Member ids in code-unit order (the order of `<` on strings), for prefix search with keyset
 * pages: the ids starting with a prefix are one contiguous run, found by binary search.
 *
 * New ids only queue up when they arrive (the engine's write path must stay cheap); the next read
 * sorts the queue into a small `recent` run, and folds `recent` into `main` once it grows past
 * MERGE_AT, so that a join costs O(1) on the write path and a read O(log n + page) at most
 * amortised over MERGE_AT joins.
 */
export class SortedIds {
  private main: string[];
  private recent: string[] = [];
  private pending: string[] = [];

  /** Takes `ids` over (sorted in place). */
  constructor(ids: string[]) {
    this.main = ids.sort();
  }

  get size(): number {
    return this.main.length + this.recent.length + this.pending.length;
  }

  /** Queues a new id (ids never leave: members stay in the network). */
  add(id: string): void {
    this.pending.push(id);
  }

  /** How many ids start with `prefix`. */
  count(prefix: string): number {
    this.settle();
    return runLength(this.main, prefix) + runLength(this.recent, prefix);
  }

  /**
   * Up to `limit` ids starting with `prefix`, in order, after the id `after` (exclusive; null from
   * the start), skipping `skip` of them first.
   */
  page(prefix: string, after: string | null, limit: number, skip = 0): string[] {
    this.settle();
    const { main, recent } = this;
    let i = startOf(main, prefix, after);
    let j = startOf(recent, prefix, after);
    const out: string[] = [];
    while (out.length < limit) {
      const a = i < main.length && main[i]!.startsWith(prefix) ? main[i]! : null;
      const b = j < recent.length && recent[j]!.startsWith(prefix) ? recent[j]! : null;
      if (a === null && b === null) break;
      const takeMain = b === null || (a !== null && a < b);
      const id = takeMain ? a! : b!;
      if (takeMain) i++;
      else j++;
      if (skip > 0) skip--;
      else out.push(id);
    }
    return out;
  }

  private settle(): void {
    if (this.pending.length === 0) return;
    this.recent = merge(this.recent, this.pending.sort());
    this.pending = [];
    if (this.recent.length > MERGE_AT) {
      this.main = merge(this.main, this.recent);
      this.recent = [];
    }
  }
}

/** Past this many, recent ids are folded into the main run (one O(n) merge per MERGE_AT joins). */
const MERGE_AT = 4096;

/** First index whose id is ≥ `prefix` and > `after`. */
function startOf(ids: readonly string[], prefix: string, after: string | null): number {
  const from = lowerBound(ids, prefix);
  return after === null || after < prefix ? from : Math.max(from, upperBound(ids, after));
}

/** Number of ids starting with `prefix`: the run from lowerBound(prefix) while the prefix holds. */
function runLength(ids: readonly string[], prefix: string): number {
  const from = lowerBound(ids, prefix);
  // Ids below `prefix` or starting with it come first, then the rest: a monotone predicate.
  let lo = from;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]!.startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo - from;
}

/** First index whose id is ≥ `key`. */
export function lowerBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose id is > `key`. */
export function upperBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
