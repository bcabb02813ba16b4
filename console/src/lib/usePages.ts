import { useCallback, useState, type DependencyList } from 'react';
import { useKeysetPages } from './useKeysetPages';

/** One page of a list read with a cursor: its rows and the cursor of the page after it (null: the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

export interface Pages<T> {
  /** Undefined until the first page is in. */
  readonly items: readonly T[] | undefined;
  readonly loading: boolean;
  readonly error: unknown;
  readonly hasMore: boolean;
  /** Fetches the page after the last one shown and appends it (one at a time). */
  more(): void;
  /** Reads the list again from its first page (after a change). */
  reload(): void;
}

/**
 * A list read a page at a time (GET /v1/adjustments with `after`/`next`, GET /v1/audit with
 * `before`): useKeysetPages for lists without a total, plus reload() to read the list again from
 * its first page after a change. The rows shown stay while the first page is read again.
 */
export function usePages<T>(load: (cursor: string | null) => Promise<Page<T>>, deps: DependencyList): Pages<T> {
  const [tick, setTick] = useState(0);
  const pages = useKeysetPages<T>(async (cursor) => ({ ...(await load(cursor)), total: 0 }), [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return {
    // (The total is known once the first page is in.)
    items: pages.total === undefined ? undefined : pages.items,
    loading: pages.loading,
    error: pages.error,
    hasMore: pages.hasMore,
    more: pages.more,
    reload,
  };
}
