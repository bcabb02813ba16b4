import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

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
 * `before`): the first page when `deps` change or on reload(), the next ones on more(). The rows
 * shown stay while the first page is read again (no flicker); an answer to a request made before
 * the list was last reset is dropped.
 */
export function usePages<T>(load: (cursor: string | null) => Promise<Page<T>>, deps: DependencyList): Pages<T> {
  const [state, setState] = useState<{ items: readonly T[] | undefined; next: string | null; loading: boolean; error: unknown }>({
    items: undefined,
    next: null,
    loading: true,
    error: undefined,
  });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const busy = useRef(false);
  const loader = useRef(load);
  loader.current = load;

  const fetchPage = useCallback((cursor: string | null) => {
    const first = cursor === null;
    const id = first ? ++generation.current : generation.current;
    busy.current = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    loader.current(cursor).then(
      (page) => {
        if (id !== generation.current) return;
        busy.current = false;
        setState((previous) => ({
          items: first ? page.items : [...(previous.items ?? []), ...page.items],
          next: page.next,
          loading: false,
          error: undefined,
        }));
      },
      (error: unknown) => {
        if (id !== generation.current) return;
        busy.current = false;
        setState((previous) => ({ ...previous, loading: false, error }));
      },
    );
  }, []);

  useEffect(() => fetchPage(null), [...deps, tick]);

  const { next } = state;
  const more = useCallback(() => {
    if (!busy.current && next !== null) fetchPage(next);
  }, [next, fetchPage]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { items: state.items, loading: state.loading, error: state.error, hasMore: next !== null, more, reload };
}
