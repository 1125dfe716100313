import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The state of data loaded from the API: the last good value, the last error, and when it was read. */
export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loadedAt: Date | undefined;
  readonly loading: boolean;
  /** Loads again now (after a decision, or on the person's request). */
  readonly reload: () => void;
}

/**
 * Loads `load()` now, again whenever `key` changes, and every `intervalMs` while the tab is visible
 * (live refresh without a hidden tab polling the API all night). A failed refresh keeps the last good
 * data on screen and shows the error beside it. Answers that arrive after a newer request are dropped.
 */
export function usePolling<T>(load: () => Promise<T>, key: string, intervalMs?: number): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loadedAt: undefined,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(() => {
    generation.current += 1;
    const mine = generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => {
        if (mine === generation.current)
          setState({ data, error: undefined, loadedAt: new Date(), loading: false });
      },
      (error: unknown) => {
        if (mine === generation.current)
          setState((previous) => ({
            ...previous,
            error: error instanceof Error ? error.message : String(error),
            loading: false,
          }));
      },
    );
  }, []);

  useEffect(() => {
    setState({ data: undefined, error: undefined, loadedAt: undefined, loading: true });
    reload();
    if (!intervalMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [key, intervalMs, reload]);

  return { ...state, reload };
}
