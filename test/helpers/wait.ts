import { getCurrentTest } from "vitest/suite";
import type { Running } from "./processes.js";
import { INTEGRATION_HOOK_TIMEOUT_MS } from "./timeouts.js";

// Waiting in tests: for an event, never for an amount of time. A wait re-checks its condition
// when something signals a change, and ends at the latest a little before the running test's
// own time limit, so that it fails with its own message ("waiting for X") rather than vitest's
// "Test timed out". Nothing here measures speed.

/** Milliseconds the running test has left, less a margin to report a failure in. */
export function timeLeft(): number {
  const test = getCurrentTest();
  const start = test?.result?.startTime;
  // Outside a test (in beforeAll/afterAll) vitest does not say when the hook began.
  if (test === undefined || start === undefined || !(test.timeout > 0)) return INTEGRATION_HOOK_TIMEOUT_MS / 2;
  const margin = Math.min(test.timeout / 10, 10_000);
  return Math.max(0, start + test.timeout - margin - Date.now());
}

/** Something a wait can be woken by: call `notify()` whenever what it waits on may have changed. */
export class Signal {
  /** How many times it fired: a change between a check and the wait is not missed. */
  count = 0;
  private readonly listeners = new Set<() => void>();

  notify(): void {
    this.count++;
    for (const l of [...this.listeners]) l();
  }

  /** Calls `listener` on every notification until the returned function is called. */
  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface WaitOptions {
  /** Checks again whenever this fires. */
  signal?: Signal | undefined;
  /** Checks again this often even without a signal: 200 ms without one, 5 s as a fallback with one. */
  every?: number | undefined;
  /** Gives up sooner than the test's own limit (never later). */
  ms?: number | undefined;
  /** Fails at once when one of these processes exits. */
  processes?: Running[] | undefined;
}

/**
 * Resolves with the first value of `check` that is not undefined. A `check` that throws counts as
 * "not yet" (its last error is reported if the wait gives up).
 */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const { signal, processes = [] } = options;
  const every = options.every ?? (signal ? 5_000 : 200);
  const budget = timeLeft();
  const limit = Math.min(options.ms ?? Number.POSITIVE_INFINITY, budget);
  const end = Date.now() + limit;
  let last: unknown;
  for (;;) {
    const seen = signal?.count;
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    const gone = processes.find((p) => !p.alive());
    if (gone) throw new Error(`${gone.name} exited while waiting for ${what}; its last output:\n${gone.output().slice(-3000)}`);
    const left = end - Date.now();
    if (left <= 0) {
      const error = last instanceof Error ? ` (last error: ${last.message})` : "";
      const why = limit === budget ? ", just before the test's own time limit" : "";
      throw new Error(`gave up waiting for ${what} after ${Math.round(limit / 1000)} s${why}${error}`);
    }
    if (signal && signal.count !== seen) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(wake, Math.min(every, left));
      const off = signal?.on(wake);
      for (const p of processes) void p.exited.then(wake);
      function wake() {
        clearTimeout(timer);
        off?.();
        resolve();
      }
    });
  }
}

/** Whether `promise` settled (resolved or rejected) within `ms` (by default: before the running test's limit). */
export async function within(promise: Promise<unknown>, ms = timeLeft()): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
