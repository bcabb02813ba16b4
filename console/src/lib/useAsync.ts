import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Runs the load again (after a change). */
  reload(): void;
}

/**
 * Loads data when `deps` change; an answer that arrives after a newer request started is dropped.
 * Keeps the previous data while reloading, so that lists do not flicker.
 */
export function useAsync<T>(load: (() => Promise<T>) | null, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: load !== null,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (!load) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const id = ++latest.current;
    setState((previous) => ({ ...previous, error: undefined, loading: true }));
    load().then(
      (data) => id === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => id === latest.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * A value that follows `value` after it stopped changing for `ms`; at once when `immediate` says
 * so (for instance the first real value after an empty one).
 */
export function useDebounced<T>(value: T, ms: number, immediate?: (settled: T, next: T) => boolean): T {
  const [settled, setSettled] = useState(value);
  const now = value !== settled && immediate?.(settled, value) === true;
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  if (now) setSettled(value);
  return now ? value : settled;
}
