import { activeState, isActive, isFailed, phaseOf, type GroupDoc, type Phase, type ProjectDoc } from "@drover/shared";
import type { ShepherdConfig } from "./config.js";

// One sweep's decisions, as a pure function of the groups' documents, the config, the time and a
// source of randomness: which projects start their next phase (admission, never beyond the batch
// limit), which failed ones are retried with a larger budget after their backoff, which are
// quarantined, which warnings are accepted, which lost tasks go out again.

export type WorkPhase = Exclude<Phase, "complete">;
export interface Budget {
  seconds: number;
  memoryMb?: number;
}

/** Every task names the state the project was in when planned: the tracker changes nothing if it has moved on. */
interface Seen {
  group: string;
  project: string;
  from: ProjectDoc["state"];
}

export type Task =
  | (Seen & { kind: "advance" })
  | (Seen & { kind: "retry"; phase: WorkPhase; retry: number; budget: Budget; reason: string })
  | (Seen & { kind: "quarantine"; reason: string })
  | (Seen & { kind: "accept" })
  | (Seen & { kind: "requeue"; lostAfterSeconds: number });

export interface GroupView {
  group: GroupDoc;
  projects: ProjectDoc[];
  ignored: boolean;
}

export interface Plan {
  tasks: Task[];
  /** Projects in flight before this sweep's admissions, and after. */
  inFlight: number;
  admitted: number;
  /** Projects ready for their next phase that the batch limit kept waiting. */
  waiting: number;
  /** Failed projects waiting for their backoff to pass: when the earliest is due (ms). */
  nextRetryAt: number | undefined;
}

/** Retries the shepherd (or an operator) asked for in this phase since the project was last registered. */
export function retriesSoFar(p: ProjectDoc, phase: WorkPhase): number {
  let n = 0;
  for (const h of p.history) {
    if (h.to === "Registered") n = 0;
    else if (h.event === "project.retry.request" && h.to === activeState[phase] && !h.reason.startsWith("lost:")) n++;
  }
  return n;
}

/** The first attempt's budget: the base of the escalation. */
export function baseBudget(config: ShepherdConfig): Budget {
  const e = config.escalation;
  return e.memory_mb === undefined ? { seconds: e.seconds } : { seconds: e.seconds, memoryMb: e.memory_mb };
}

/**
 * The budget of the n-th retry (1-based): the base times factor^n, capped; never less than the
 * budget the project last had (an operator's --set time=10h stays 10 h or more).
 */
export function escalate(config: ShepherdConfig, n: number, current?: ProjectDoc["config"]["budget"]): Budget {
  const e = config.escalation;
  const grow = (base: number, had: number | undefined, cap: number) => Math.max(Math.min(Math.round(Math.max(base * e.factor ** n, (had ?? 0) * e.factor)), cap), had ?? 0);
  const seconds = grow(e.seconds, current?.seconds, e.max_seconds);
  const memoryBase = e.memory_mb ?? current?.memoryMb;
  return memoryBase === undefined ? { seconds } : { seconds, memoryMb: grow(memoryBase, current?.memoryMb, e.max_memory_mb) };
}

/** When a started task counts as lost: its time budget (or the base one) and a margin. */
export function lostAfter(config: ShepherdConfig, p: ProjectDoc): number {
  const budget = p.config.budget?.seconds ?? config.escalation.seconds;
  return Math.ceil(budget * 1.25 + 60);
}

function failureReason(p: ProjectDoc): string {
  const e = p.lastError;
  if (!e) return `${p.state} (see 'drover show ${p.group}/${p.code}')`;
  const where = [e.file ? `file ${e.file}` : "", e.variable ? `variable ${e.variable}` : ""].filter(Boolean).join(", ");
  return `${e.kind}${where ? ` in ${where}` : ""}: ${e.message}`;
}

/** What one project needs, before admission: a task, or a candidate for the next phase. */
function decide(config: ShepherdConfig, p: ProjectDoc, now: number, out: { tasks: Task[]; candidates: Task[]; retryAt: number[] }): void {
  const base = { group: p.group, project: p.code, from: p.state };
  const phase = phaseOf(p.state);
  if (isActive(p.state)) {
    // Only a started task can be lost; a request waiting in its queue is not.
    const started = phase ? p.phases[phase]?.startedAt : undefined;
    const limit = lostAfter(config, p);
    if (phase !== "complete" && started !== undefined && (now - Date.parse(started)) / 1000 > limit) out.tasks.push({ kind: "requeue", ...base, lostAfterSeconds: limit });
    return;
  }
  if (p.state === "Registered" || p.state === "Scanned" || p.state === "Computed") {
    out.candidates.push({ kind: "advance", ...base });
    return;
  }
  if (p.state === "ValidatedWithWarnings") {
    if (config.accept_warnings) out.tasks.push({ kind: "accept", ...base });
    return;
  }
  if (!isFailed(p.state) || phase === undefined || phase === "complete") return;
  const reason = failureReason(p);
  if (p.lastError?.permanent !== false) {
    out.tasks.push({ kind: "quarantine", ...base, reason });
    return;
  }
  const done = retriesSoFar(p, phase);
  if (done >= config.retry.max_retries) {
    out.tasks.push({ kind: "quarantine", ...base, reason: `gave up after ${done} ${done === 1 ? "retry" : "retries"} with larger budgets: ${reason}` });
    return;
  }
  const failedAt = Date.parse(p.history.at(-1)?.at ?? p.updatedAt);
  const due = failedAt + config.retry.backoff_seconds * config.retry.factor ** done * 1000;
  if (now < due) {
    out.retryAt.push(due);
    return;
  }
  out.candidates.push({ kind: "retry", ...base, phase, retry: done + 1, budget: escalate(config, done + 1, p.config.budget), reason });
}

/** Picks up to `slots` candidates, a random group at a time, each group's in its own order. */
export function admit(candidates: Task[], slots: number, random: () => number): Task[] {
  const byGroup = new Map<string, Task[]>();
  for (const c of candidates) {
    const list = byGroup.get(c.group) ?? [];
    list.push(c);
    byGroup.set(c.group, list);
  }
  const queues = [...byGroup.values()];
  const picked: Task[] = [];
  while (picked.length < slots && queues.length > 0) {
    const i = Math.min(Math.floor(random() * queues.length), queues.length - 1);
    const q = queues[i] as Task[];
    picked.push(q.shift() as Task);
    if (q.length === 0) queues.splice(i, 1);
  }
  return picked;
}

/** Requests other than admissions sent in one sweep at most (the rest wait for the next): a sweep stays short. */
export const MAX_OTHER_TASKS = 500;

export function planSweep(config: ShepherdConfig, groups: GroupView[], now: number, random: () => number = Math.random): Plan {
  const out = { tasks: [] as Task[], candidates: [] as Task[], retryAt: [] as number[] };
  let inFlight = 0;
  for (const g of groups) {
    for (const p of g.projects) {
      if (isActive(p.state) && p.state !== "Completing") inFlight++;
      if (g.ignored || g.group.state === "Completing" || g.group.state === "Completed") continue;
      decide(config, p, now, out);
    }
  }
  // Retries before first admissions within a group: a failed project has waited longer.
  const ordered = [...out.candidates.filter((c) => c.kind === "retry"), ...out.candidates.filter((c) => c.kind !== "retry")];
  const admitted = admit(ordered, Math.max(0, config.batch_limit - inFlight), random);
  return {
    tasks: [...out.tasks.slice(0, MAX_OTHER_TASKS), ...admitted],
    inFlight,
    admitted: admitted.length,
    waiting: ordered.length - admitted.length,
    nextRetryAt: out.retryAt.length ? Math.min(...out.retryAt) : undefined,
  };
}
