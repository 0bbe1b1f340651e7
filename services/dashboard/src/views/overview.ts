import { isFailed, listGroups, needsOperator, projectStates, type DocStore, type GroupDoc, type ProjectState } from "@drover/shared";

// The overview: every group with its projects counted per state (the database's view, not the
// projects themselves), its throughput and the time it has been running; groups needing a person
// (failed, warnings to review, quarantined) first, then the newest activity.

export interface GroupRow {
  name: string;
  state: GroupDoc["state"];
  counts: Record<ProjectState, number>;
  total: number;
  /** Projects that need a person: failed, warnings to review, quarantined. */
  needsPerson: number;
  failed: number;
  /** Projects past validation (Validated, accepted, Completing, Completed). */
  done: number;
  /** Projects done per hour of running time. */
  perHour: number;
  runningSeconds: number;
  createdAt: string;
  lastActivity: string;
  reasons: string[];
}

export interface OverviewQuery {
  group?: string | undefined;
  state?: ProjectState | undefined;
  text?: string | undefined;
}

export interface Overview {
  groups: GroupRow[];
  totals: Record<ProjectState, number>;
  at: string;
}

const doneStates: ProjectState[] = ["Validated", "Completing", "Completed"];

function row(g: GroupDoc, counts: Record<ProjectState, number>, lastSeen: string | undefined, now: number): GroupRow {
  const total = projectStates.reduce((s, st) => s + counts[st], 0);
  const end = g.completedAt ? Date.parse(g.completedAt) : now;
  const runningSeconds = Math.max(0, (end - Date.parse(g.createdAt)) / 1000);
  const done = doneStates.reduce((s, st) => s + counts[st], 0);
  return {
    name: g.name,
    state: g.state,
    counts,
    total,
    needsPerson: projectStates.filter(needsOperator).reduce((s, st) => s + counts[st], 0),
    failed: projectStates.filter(isFailed).reduce((s, st) => s + counts[st], 0),
    done,
    perHour: runningSeconds > 0 ? Math.round((done / runningSeconds) * 3600 * 10) / 10 : 0,
    runningSeconds: Math.round(runningSeconds),
    createdAt: g.createdAt,
    lastActivity: [g.updatedAt, lastSeen ?? ""].sort().at(-1) ?? g.updatedAt,
    reasons: g.reasons.slice(0, 5),
  };
}

export async function overview(store: DocStore, q: OverviewQuery, lastActivity: ReadonlyMap<string, string>): Promise<Overview> {
  const now = Date.now();
  const docs = (await listGroups(store)).filter((g) => (q.group === undefined || g.name === q.group) && (!q.text || g.name.toLowerCase().includes(q.text.toLowerCase())));
  const rows = await Promise.all(docs.map(async (g) => row(g, await store.countStates(g.name), lastActivity.get(g.name), now)));
  const shown = rows
    .filter((r) => q.state === undefined || r.counts[q.state] > 0)
    .sort((a, b) => Number(b.needsPerson > 0) - Number(a.needsPerson > 0) || b.lastActivity.localeCompare(a.lastActivity));
  const totals = Object.fromEntries(projectStates.map((s) => [s, shown.reduce((n, r) => n + r.counts[s], 0)])) as Record<ProjectState, number>;
  return { groups: shown, totals, at: new Date(now).toISOString() };
}
