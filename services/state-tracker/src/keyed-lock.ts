// Runs jobs one after another per key, jobs of different keys side by side.

export interface KeyedLock {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Whether a job of this key is running or waiting. */
  busy(key: string): boolean;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, job) {
      const prev = tails.get(key) ?? Promise.resolve();
      const next = prev.then(job, job);
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    busy: (key) => tails.has(key),
  };
}
