import { failedState, isFailed, listGroups, phaseDurations, phases, projectPages, type DocStore, type Phase } from "@drover/shared";

// The charts' data, aggregated over the projects a page at a time: projects through validation
// and completed over time (cumulative), each phase's median and slowest duration, failures by kind.

export interface Charts {
  /** Cumulative counts at each time a project reached the state. */
  validated: { at: string; count: number }[];
  completed: { at: string; count: number }[];
  durations: { phase: Phase; count: number; median: number; slowest: number; slowestProject: string }[];
  failures: { kind: string; count: number }[];
  projects: number;
}

function cumulative(times: number[]): { at: string; count: number }[] {
  return times.sort((a, b) => a - b).map((t, i) => ({ at: new Date(t).toISOString(), count: i + 1 }));
}

/** At most `max` points of a cumulative series, always keeping the last. */
function thin<T>(points: T[], max = 400): T[] {
  if (points.length <= max) return points;
  const step = points.length / max;
  const out = Array.from({ length: max - 1 }, (_, i) => points[Math.floor(i * step)] as T);
  out.push(points[points.length - 1] as T);
  return out;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function charts(store: DocStore, group: string | undefined): Promise<Charts> {
  const groups = group !== undefined ? [group] : (await listGroups(store)).map((g) => g.name);
  const validated: number[] = [];
  const completed: number[] = [];
  const durations = new Map<Phase, { seconds: number; project: string }[]>(phases.map((p) => [p, []]));
  const failures = new Map<string, number>();
  let projects = 0;
  for (const g of groups) {
    for await (const page of projectPages(store, g)) {
      for (const p of page) {
        projects++;
        const firstAt = (to: string[]) => p.history.find((h) => to.includes(h.to))?.at;
        const v = firstAt(["Validated", "ValidatedWithWarnings"]);
        if (v) validated.push(Date.parse(v));
        const c = firstAt(["Completed"]);
        if (c) completed.push(Date.parse(c));
        for (const d of phaseDurations(p.history)) if (!d.open) durations.get(d.phase)?.push({ seconds: d.seconds, project: `${p.group}/${p.code}` });
        // Every failure the history records, by the kind of error its phase ended with.
        for (const h of p.history) {
          if (!isFailed(h.to as never)) continue;
          const phase = phases.find((x) => failedState[x] === h.to);
          const kind = (phase && p.phases[phase]?.error?.kind) ?? /^(\w+Error)/.exec(h.reason)?.[1] ?? "unknown";
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
        }
      }
    }
  }
  return {
    validated: thin(cumulative(validated)),
    completed: thin(cumulative(completed)),
    durations: phases.map((phase) => {
      const list = (durations.get(phase) ?? []).sort((a, b) => a.seconds - b.seconds);
      const slowest = list.at(-1);
      return { phase, count: list.length, median: median(list.map((d) => d.seconds)), slowest: slowest?.seconds ?? 0, slowestProject: slowest?.project ?? "" };
    }),
    failures: [...failures.entries()].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count),
    projects,
  };
}
