import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";

// Live data: one event stream per page (server-sent events, fed by the bus's state changes);
// each view refetches its data when a batch of changes arrives: at most one request in flight,
// and changes during it fetched once more after it. Never a reload of the page.

export interface LiveState {
  /** Goes up with every batch of changes. */
  version: number;
  connected: boolean;
  lastBatch: { count: number; groups: string[]; at: string } | undefined;
}

export const Live = createContext<LiveState>({ version: 0, connected: false, lastBatch: undefined });

export function useEventStream(): LiveState {
  const [state, setState] = useState<LiveState>({ version: 0, connected: false, lastBatch: undefined });
  useEffect(() => {
    const source = new EventSource("/api/events");
    source.onopen = () => setState((s) => ({ ...s, connected: true, version: s.version + 1 }));
    source.onerror = () => setState((s) => ({ ...s, connected: false }));
    source.addEventListener("changes", (e) => {
      const batch = JSON.parse((e as MessageEvent<string>).data) as LiveState["lastBatch"];
      setState((s) => ({ ...s, version: s.version + 1, lastBatch: batch }));
    });
    return () => source.close();
  }, []);
  return state;
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload(): void;
}

/** `load()` now, whenever `key` changes, and after every live change batch. */
export function useLiveData<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const live = useContext(Live);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [nudge, setNudge] = useState(0);
  const busy = useRef(false);
  const again = useRef(false);
  const current = useRef(load);
  current.current = load;
  const lastKey = useRef(key);

  useEffect(() => {
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(undefined);
    }
    if (busy.current) {
      again.current = true;
      return;
    }
    const run = () => {
      busy.current = true;
      current
        .current()
        .then(
          (d) => {
            setData(d);
            setError(undefined);
          },
          (e: unknown) => setError((e as Error).message),
        )
        .finally(() => {
          busy.current = false;
          if (again.current) {
            again.current = false;
            run();
          }
        });
    };
    run();
  }, [key, live.version, nudge]);
  return { data, error, reload: () => setNudge((n) => n + 1) };
}
