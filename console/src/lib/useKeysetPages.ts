import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

/** One page of a cursor pagination as the API answers it. */
export interface KeysetPage<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** Cursor of the next page, null on the last. */
  readonly next: string | null;
  /** What the list was asked for (a search's query), kept with the items it answered. */
  readonly key?: string;
}

export interface KeysetPages<T> {
  readonly items: readonly T[];
  /** Undefined until the first page is in. */
  readonly total: number | undefined;
  /** The `key` of the first page of the items shown. */
  readonly key: string | undefined;
  readonly loading: boolean;
  readonly error: unknown;
  /** Whether another page exists. */
  readonly hasMore: boolean;
  /** Fetches the next page and appends it (once at a time; nothing when there is none). */
  more(): void;
}

interface State<T> {
  items: readonly T[];
  total: number | undefined;
  key: string | undefined;
  next: string | null;
  loading: boolean;
  error: unknown;
}

const EMPTY: State<never> = { items: [], total: undefined, key: undefined, next: null, loading: false, error: undefined };

/**
 * A list read a page at a time with a cursor: the first page when `deps` change (or `load` turns
 * non-null), the following ones on `more()`, each appended; pages already shown are never fetched
 * again. The items shown stay until the new first page replaces them (a list being searched does
 * not flicker), or its request fails (they go, with the error); an answer to a request made before
 * `deps` last changed is dropped.
 */
export function useKeysetPages<T>(
  load: ((after: string | null) => Promise<KeysetPage<T>>) | null,
  deps: DependencyList,
): KeysetPages<T> {
  const [state, setState] = useState<State<T>>({ ...EMPTY, loading: load !== null });
  const generation = useRef(0);
  const busy = useRef(false);
  const loader = useRef(load);
  loader.current = load;

  const fetchPage = useCallback((after: string | null, first: boolean) => {
    const run = loader.current;
    if (!run) return;
    const id = first ? ++generation.current : generation.current;
    busy.current = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    run(after).then(
      (page) => {
        if (id !== generation.current) return;
        busy.current = false;
        setState((previous) => ({
          items: first ? page.items : [...previous.items, ...page.items],
          total: page.total,
          key: first ? page.key : previous.key,
          next: page.next,
          loading: false,
          error: undefined,
        }));
      },
      (error: unknown) => {
        if (id !== generation.current) return;
        busy.current = false;
        // A first page refused leaves nothing of the list asked before: its rows would contradict
        // the filters now shown. A later page refused keeps the pages in.
        setState((previous) => (first ? { ...EMPTY, error } : { ...previous, loading: false, error }));
      },
    );
  }, []);

  useEffect(() => {
    if (load === null) {
      generation.current++;
      busy.current = false;
      setState(EMPTY);
      return;
    }
    fetchPage(null, true);
  }, [...deps, load === null]);

  const { next } = state;
  const more = useCallback(() => {
    if (!busy.current && next !== null) fetchPage(next, false);
  }, [next, fetchPage]);

  return {
    items: state.items,
    total: state.total,
    key: state.key,
    loading: state.loading,
    error: state.error,
    hasMore: next !== null,
    more,
  };
}
