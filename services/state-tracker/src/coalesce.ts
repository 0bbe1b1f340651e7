// Runs a job per key at most once at a time, and not more often than every `delay` ms: asks that
// arrive while a run is waiting are folded into it, asks during a run schedule one more run after
// it. The state-tracker reviews a group this way instead of on every project change.

export interface Coalescer {
  /** Asks for a run of `key`'s job soon; several asks before it starts make one run. */
  ask(key: string): void;
  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void>;
}

interface Slot {
  timer?: NodeJS.Timeout | undefined;
  running: boolean;
  again: boolean;
}

/** `delay(lastRunMs)`: how long to wait before the next run, given how long the last one took. */
export function createCoalescer(run: (key: string) => Promise<void>, delay: (lastRunMs: number) => number, onError: (key: string, e: unknown) => void): Coalescer {
  const slots = new Map<string, Slot>();
  const lastRun = new Map<string, number>();
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (slots.size > 0) return;
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const arm = (key: string, slot: Slot) => {
    // Unreferenced: a waiting run keeps no process alive (a service lives by its broker connection).
    slot.timer = setTimeout(() => void fire(key, slot), Math.max(0, delay(lastRun.get(key) ?? 0))).unref();
  };

  const fire = async (key: string, slot: Slot) => {
    slot.timer = undefined;
    slot.running = true;
    const t = performance.now();
    try {
      await run(key);
    } catch (e) {
      onError(key, e);
    }
    lastRun.set(key, performance.now() - t);
    slot.running = false;
    if (slot.again) {
      slot.again = false;
      arm(key, slot);
      return;
    }
    slots.delete(key);
    lastRun.delete(key);
    settle();
  };

  return {
    ask(key) {
      const slot = slots.get(key);
      if (slot) {
        if (slot.running) slot.again = true;
        return;
      }
      const fresh: Slot = { running: false, again: false };
      slots.set(key, fresh);
      arm(key, fresh);
    },
    idle() {
      if (slots.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
