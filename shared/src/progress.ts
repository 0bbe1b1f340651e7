import type { GroupDoc, ProjectDoc } from "./documents.js";
import type { ProjectState } from "./lifecycle.js";
import { count } from "./words.js";

// How far a group has come, counted so that the numbers only go up while work goes forward:
// each project counts for every phase it has passed, whatever it is doing now.

/** Phases a project in this state has passed: scan 1, compute 2, validate 3, complete 4. */
const passed: Record<ProjectState, number> = {
  Registered: 0,
  Scanning: 0,
  ScanFailed: 0,
  Scanned: 1,
  Computing: 1,
  ComputeFailed: 1,
  Computed: 2,
  Validating: 2,
  ValidationFailed: 2,
  Validated: 3,
  ValidatedWithWarnings: 3,
  Completing: 3,
  CompletionFailed: 3,
  Completed: 4,
  Faultlisted: 0,
  Quarantined: 0,
};

export interface GroupProgress {
  /** Projects in the group file, registered or not yet. */
  total: number;
  registered: number;
  scanned: number;
  computed: number;
  validated: number;
  completed: number;
  withWarnings: number;
  failed: number;
  faultlisted: number;
  quarantined: number;
}

export function groupProgress(g: Pick<GroupDoc, "projects">, projects: Pick<ProjectDoc, "state">[]): GroupProgress {
  const counts: Partial<Record<ProjectState, number>> = {};
  for (const { state } of projects) counts[state] = (counts[state] ?? 0) + 1;
  return progressFromCounts(g, counts);
}

/** The same from the number of projects in each state (the database view's counts: no project read). */
export function progressFromCounts(g: Pick<GroupDoc, "projects">, counts: Partial<Record<ProjectState, number>>): GroupProgress {
  const registered = Object.values(counts).reduce((a, n) => a + (n ?? 0), 0);
  const p: GroupProgress = { total: Math.max(g.projects.length, registered), registered, scanned: 0, computed: 0, validated: 0, completed: 0, withWarnings: 0, failed: 0, faultlisted: 0, quarantined: 0 };
  for (const [s, k] of Object.entries(counts)) {
    const state = s as ProjectState;
    const n = passed[state];
    const c = k ?? 0;
    if (n >= 1) p.scanned += c;
    if (n >= 2) p.computed += c;
    if (n >= 3) p.validated += c;
    if (n >= 4) p.completed += c;
    if (state === "ValidatedWithWarnings") p.withWarnings += c;
    if (state.endsWith("Failed")) p.failed += c;
    if (state === "Faultlisted") p.faultlisted += c;
    if (state === "Quarantined") p.quarantined += c;
  }
  return p;
}

/** "3 projects: scanned 3/3, computed 2/3, validated 1/3, completed 0/3, 1 failed". */
export function describeProgress(p: GroupProgress): string {
  const of = (n: number) => `${n}/${p.total}`;
  const parts = [
    ...(p.registered < p.total ? [`registered ${of(p.registered)}`] : []),
    `scanned ${of(p.scanned)}`,
    `computed ${of(p.computed)}`,
    `validated ${of(p.validated)}${p.withWarnings ? ` (${p.withWarnings} with warnings)` : ""}`,
    `completed ${of(p.completed)}`,
    ...(p.failed ? [`${p.failed} failed`] : []),
    ...(p.faultlisted ? [`${p.faultlisted} faultlisted`] : []),
    ...(p.quarantined ? [`${p.quarantined} quarantined`] : []),
  ];
  return `${count(p.total, "project")}: ${parts.join(", ")}`;
}
