import type { DocStore, ProjectState } from "@drover/shared";

// Counts of a group's projects per state, kept between requests: every page that is open asks
// for them after each change, and the database's view takes a while on a large group. A group's
// counts are dropped as soon as the bus reports a change in it (`forget`), and after `ttlMs` in
// any case (a change the dashboard missed while reconnecting).

export interface CountingStore extends DocStore {
  forget(groups: readonly string[]): void;
}

export function withCachedCounts(store: DocStore, ttlMs = 10_000): CountingStore {
  const cache = new Map<string, { at: number; counts: Promise<Record<ProjectState, number>> }>();
  return {
    ...store,
    countStates(group) {
      const hit = cache.get(group);
      if (hit && Date.now() - hit.at < ttlMs) return hit.counts;
      const counts = store.countStates(group);
      cache.set(group, { at: Date.now(), counts });
      counts.catch(() => cache.delete(group));
      return counts;
    },
    forget(groups) {
      for (const g of groups) cache.delete(g);
    },
  };
}
