import { activeState, doneState, failedState, phaseOf, phases, type Phase, type ProjectState } from "@drover/shared";

// A group's progress phase by phase, from the number of projects in each state (one view query,
// whatever the group's size): how many are done, running, failed and waiting in each phase.

export interface PhaseRow {
  phase: Phase;
  done: number;
  running: number;
  failed: number;
  waiting: number;
  /** Of `done`: validated with warnings, waiting for an operator to accept them. */
  withWarnings: number;
}

export interface PhaseTable {
  /** Projects the phases count: every project but the faultlisted and quarantined ones. */
  inPlay: number;
  faultlisted: number;
  quarantined: number;
  rows: PhaseRow[];
}

/** How many phases a project in this state has finished (0 to 4); undefined when set aside. */
function phasesPassed(state: ProjectState): number | undefined {
  const phase = phaseOf(state);
  if (phase === undefined) return state === "Registered" ? 0 : undefined;
  const index = phases.indexOf(phase);
  return state === doneState[phase] || state === "ValidatedWithWarnings" ? index + 1 : index;
}

export function phaseTable(counts: Partial<Record<ProjectState, number>>): PhaseTable {
  const table: PhaseTable = { inPlay: 0, faultlisted: counts.Faultlisted ?? 0, quarantined: counts.Quarantined ?? 0, rows: [] };
  const passed: { state: ProjectState; n: number; passed: number }[] = [];
  for (const [state, n = 0] of Object.entries(counts) as [ProjectState, number | undefined][]) {
    const p = phasesPassed(state);
    if (p === undefined || n === 0) continue;
    table.inPlay += n;
    passed.push({ state, n, passed: p });
  }
  phases.forEach((phase, index) => {
    const row: PhaseRow = { phase, done: 0, running: 0, failed: 0, waiting: 0, withWarnings: 0 };
    for (const { state, n, passed: p } of passed) {
      if (p > index) row.done += n;
      else if (state === activeState[phase]) row.running += n;
      else if (state === failedState[phase]) row.failed += n;
      else row.waiting += n;
      if (state === "ValidatedWithWarnings" && phase === "validate") row.withWarnings += n;
    }
    table.rows.push(row);
  });
  return table;
}

/** Percent done, rounded down: "100%" only when every project is done, "<1%" for a few of many. */
export function percent(n: number, of: number): string {
  if (of === 0) return "   -";
  const p = Math.floor((100 * n) / of);
  return `${n > 0 && p === 0 ? "<1" : String(p)}%`.padStart(4);
}

/** The table as text: a header, then a line per phase with counts and the percentage done. */
export function formatPhaseTable(t: PhaseTable): string[] {
  const w = String(t.inPlay).length;
  const cols = { done: Math.max(4, w + 5), running: Math.max(7, w), failed: Math.max(6, w), waiting: Math.max(7, w) };
  const lines = [`  ${"phase".padEnd(9)}  ${"done".padEnd(cols.done)}  ${"running".padStart(cols.running)}  ${"failed".padStart(cols.failed)}  ${"waiting".padStart(cols.waiting)}`];
  for (const r of t.rows) {
    const warn = r.withWarnings > 0 ? `  (${r.withWarnings} with warnings, to accept)` : "";
    const done = `${String(r.done).padStart(w)} ${percent(r.done, t.inPlay)}`;
    lines.push(`  ${r.phase.padEnd(9)}  ${done.padEnd(cols.done)}  ${String(r.running).padStart(cols.running)}  ${String(r.failed).padStart(cols.failed)}  ${String(r.waiting).padStart(cols.waiting)}${warn}`);
  }
  const aside = [t.faultlisted ? `${t.faultlisted} faultlisted` : "", t.quarantined ? `${t.quarantined} quarantined` : ""].filter(Boolean);
  if (aside.length > 0) lines.push(`  set aside (not counted above): ${aside.join(", ")}`);
  return lines;
}

/** An error on one line: "kind: message (file …)", whitespace folded, cut at `width` characters (with "…"). */
export function oneLineError(e: { kind: string; message: string; file?: string | undefined; variable?: string | undefined }, width = 200): string {
  const message = e.message.replace(/\s+/g, " ").trim();
  const where = [e.file && !message.includes(e.file) ? `file ${e.file}` : "", e.variable && !message.includes(e.variable) ? `variable ${e.variable}` : ""].filter(Boolean).join(", ");
  const line = `${e.kind}: ${message}${where ? ` (${where})` : ""}`;
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
