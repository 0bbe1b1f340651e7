import { capText, MAX_REASON } from "../bounds.js";
import { DroverError } from "../errors.js";
import type { ProjectDoc } from "../documents.js";
import { activeState, canMove, failedState, isActive, isFailed, nextPhase, phaseOf, type Phase, type ProjectState } from "../lifecycle.js";
import type { BodyInput, Message, MessageFields, Selector } from "../messages.js";
import { ProjectConfigSchema, type ProjectConfig } from "../schemas.js";
import { count } from "../words.js";

// The state-tracker's decisions, as pure functions of a project document and a message: the new
// document (with its history entry and the messages to send in its outbox), or undefined when
// the message changes nothing (a duplicate, a result of an older attempt).

export interface TrackerSettings {
  maxAttempts: number;
  autoAdvance: boolean;
  acceptWarnings: boolean;
  ignoreTemplate?: string | undefined;
}

export interface RuleContext {
  now: string;
  settings: TrackerSettings;
  make: <S extends Selector>(type: S, fields: MessageFields, body: BodyInput<S>) => Message<S>;
}

export class IllegalTransitionError extends DroverError {
  constructor(from: ProjectState, to: ProjectState, project: string) {
    super("MessageError", `project ${project}: refusing the illegal move ${from} → ${to}`);
  }
}

export function newProject(group: string, code: string, files: string[], config: ProjectConfig, workDir: string, now: string): ProjectDoc {
  return {
    _id: `project:${group}:${code}`,
    type: "project",
    group,
    code,
    files,
    config,
    state: "Registered",
    phases: {},
    outputs: { workDir },
    issues: [],
    lastError: null,
    createdAt: now,
    updatedAt: now,
    history: [{ seq: 1, at: now, from: null, to: "Registered", event: "group.register.request", reason: `registered with ${count(files.length, "file")}` }],
    outbox: [],
  };
}

/** A fresh registration replacing an earlier one (launch --replace): says what it replaced. */
export function registeredAnew(fresh: ProjectDoc, was: ProjectDoc): ProjectDoc {
  const [first, ...rest] = fresh.history;
  if (!first) return fresh;
  return { ...fresh, history: [{ ...first, reason: `${first.reason}, replacing the earlier registration (was ${was.state})` }, ...rest] };
}

/** Moves a project to `to`, refusing illegal moves, and records the change in its history. */
export function move(doc: ProjectDoc, to: ProjectState, event: string, why: string, ctx: RuleContext, msg?: Message): ProjectDoc {
  if (!canMove(doc.state, to)) throw new IllegalTransitionError(doc.state, to, doc.code);
  const reason = capText(why, MAX_REASON);
  const seq = (doc.history.at(-1)?.seq ?? 0) + 1;
  const entry = { seq, at: ctx.now, from: doc.state, to, event, reason, ...(msg ? { messageId: msg.id, attempt: msg.attempt } : {}) };
  const notice = ctx.make("project.state.changed", { group: doc.group, project: doc.code }, { from: doc.state, to, reason, seq });
  return { ...doc, state: to, updatedAt: ctx.now, history: [...doc.history, entry], outbox: [...doc.outbox, notice] };
}

function requestFor(doc: ProjectDoc, phase: Exclude<Phase, "complete">, ctx: RuleContext, fields: MessageFields): Message {
  const { files, config, outputs } = doc;
  switch (phase) {
    case "scan":
      return ctx.make("project.scan.request", fields, { files, config, workDir: outputs.workDir });
    case "compute":
      if (!outputs.inventory) throw new DroverError("MessageError", `project ${doc.code}: cannot compute before a scan`);
      return ctx.make("project.compute.request", fields, { files, config, inventory: outputs.inventory, workDir: outputs.workDir });
    case "validate":
      if (!outputs.inventory || !outputs.product) throw new DroverError("MessageError", `project ${doc.code}: cannot validate before a compute`);
      return ctx.make("project.validate.request", fields, {
        files,
        config,
        inventory: outputs.inventory,
        product: outputs.product,
        workDir: outputs.workDir,
        ...(doc.ignoreTemplate ?? ctx.settings.ignoreTemplate ? { ignoreTemplate: doc.ignoreTemplate ?? ctx.settings.ignoreTemplate } : {}),
      });
  }
}

/** Sends the request of a phase: the project becomes active in it, the request goes in the outbox. */
export function dispatch(doc: ProjectDoc, phase: Exclude<Phase, "complete">, ctx: RuleContext, event: string, reason: string, options: { resetAttempts?: boolean; cause?: Message } = {}): ProjectDoc {
  const prev = doc.phases[phase];
  const attempts = options.resetAttempts || !prev || !isActive(doc.state) ? (options.resetAttempts ? 1 : (prev && prev.status === "failed" ? prev.attempts + 1 : 1)) : prev.attempts + 1;
  const request = requestFor(doc, phase, ctx, { group: doc.group, project: doc.code, attempt: attempts });
  const moved = move(doc, activeState[phase], event, reason, ctx, options.cause);
  return {
    ...moved,
    phases: { ...moved.phases, [phase]: { status: "queued", attempts, queuedAt: ctx.now, requestId: request.id } },
    outbox: [...moved.outbox, request],
  };
}

/** After a phase finished well: advance to the next phase when auto-advance is on (never for the shepherd's projects: it admits them). */
function advance(doc: ProjectDoc, ctx: RuleContext, event: string, cause?: Message): ProjectDoc {
  const next = nextPhase[doc.state];
  if (!ctx.settings.autoAdvance || doc.driver === "shepherd" || next === undefined || next === "complete") return doc;
  return dispatch(doc, next, ctx, event, `auto-advance to ${next}`, cause ? { cause } : {});
}

function current(doc: ProjectDoc, phase: Phase, msg: Message): boolean {
  return doc.state === activeState[phase] && doc.phases[phase]?.requestId === msg.correlationId;
}

export function onRegistered(doc: ProjectDoc, ctx: RuleContext): ProjectDoc {
  return advance(doc, ctx, "group.register.request");
}

export function onStarted(doc: ProjectDoc, phase: Exclude<Phase, "complete">, msg: Message<"project.scan.started" | "project.compute.started" | "project.validate.started">): ProjectDoc | undefined {
  const rec = doc.phases[phase];
  if (!rec || !current(doc, phase, msg) || rec.status !== "queued") return undefined;
  return { ...doc, phases: { ...doc.phases, [phase]: { ...rec, status: "running", startedAt: msg.sentAt, worker: msg.body.worker } } };
}

export function onScanned(doc: ProjectDoc, msg: Message<"project.scan.succeeded">, ctx: RuleContext): ProjectDoc | undefined {
  if (!current(doc, "scan", msg)) return undefined;
  const s = msg.body.summary;
  let d = finish(doc, "scan", "succeeded", ctx);
  d = { ...d, outputs: { ...d.outputs, inventory: msg.body.inventory }, scan: s, issues: s.issues, lastError: null };
  const warnings = s.issues.filter((i) => i.severity === "warning").length;
  d = move(d, "Scanned", msg.type, `${count(s.files, "file")}, ${count(s.variables.length, "variable")}, ${s.concatDim ?? "no"} concatenation dimension${warnings ? `, ${count(warnings, "warning")}` : ""}`, ctx, msg);
  return advance(d, ctx, msg.type, msg);
}

export function onComputed(doc: ProjectDoc, msg: Message<"project.compute.succeeded">, ctx: RuleContext): ProjectDoc | undefined {
  if (!current(doc, "compute", msg)) return undefined;
  const s = msg.body.summary;
  let d = finish(doc, "compute", "succeeded", ctx);
  d = { ...d, outputs: { ...d.outputs, product: msg.body.product }, compute: s, lastError: null };
  d = move(d, "Computed", msg.type, `${s.format} ${s.revision}: ${count(s.chunksWritten, "chunk")} in ${s.seconds.toFixed(1)} s`, ctx, msg);
  return advance(d, ctx, msg.type, msg);
}

export function onValidated(doc: ProjectDoc, msg: Message<"project.validate.succeeded">, ctx: RuleContext): ProjectDoc | undefined {
  if (!current(doc, "validate", msg)) return undefined;
  const s = msg.body.summary;
  let d = finish(doc, "validate", s.outcome === "Success" ? "succeeded" : "warning", ctx);
  d = { ...d, outputs: { ...d.outputs, dataReport: msg.body.dataReport, metadataReport: msg.body.metadataReport }, validation: s, lastError: null };
  const compared = `${count(s.valuesCompared, "value")} from ${count(s.filesCompared.length, "file")} compared`;
  if (s.outcome === "Success") return move(d, "Validated", msg.type, `${s.status}: ${compared}`, ctx, msg);
  d = move(d, "ValidatedWithWarnings", msg.type, `${s.status} (${count(s.warnings.length, "warning")}); ${compared}`, ctx, msg);
  if (ctx.settings.acceptWarnings) return { ...move(d, "Validated", msg.type, "warnings accepted by DROVER_ACCEPT_WARNINGS", ctx, msg), acceptedBy: "configuration" };
  return d;
}

export function onFailed(doc: ProjectDoc, phase: Exclude<Phase, "complete">, msg: Message<"project.scan.failed" | "project.compute.failed" | "project.validate.failed">, ctx: RuleContext): ProjectDoc | undefined {
  if (!current(doc, phase, msg)) return undefined;
  const { error, issues, reports } = msg.body;
  const rec = doc.phases[phase];
  const attempts = rec?.attempts ?? 1;
  const where = [error.file ? `file ${error.file}` : "", error.variable ? `variable ${error.variable}` : ""].filter(Boolean).join(", ");
  if (!error.permanent && attempts < ctx.settings.maxAttempts) {
    const d = { ...doc, lastError: error };
    return dispatch(d, phase, ctx, msg.type, `retry ${attempts + 1}/${ctx.settings.maxAttempts} after ${error.kind}: ${error.message}`, { cause: msg });
  }
  let d = finish(doc, phase, "failed", ctx, error);
  d = {
    ...d,
    lastError: error,
    issues: issues.length > 0 ? issues : d.issues,
    outputs: {
      ...d.outputs,
      ...(reports["dataReport"] ? { dataReport: reports["dataReport"] } : {}),
      ...(reports["metadataReport"] ? { metadataReport: reports["metadataReport"] } : {}),
      ...(reports["inventory"] ? { inventory: reports["inventory"] } : {}),
    },
  };
  const gaveUp = !error.permanent ? ` (gave up after ${attempts} attempts)` : "";
  return move(d, failedState[phase], msg.type, `${error.kind}${where ? ` in ${where}` : ""}: ${error.message}${gaveUp}`, ctx, msg);
}

function finish(doc: ProjectDoc, phase: Phase, status: "succeeded" | "warning" | "failed", ctx: RuleContext, error?: ProjectDoc["lastError"]): ProjectDoc {
  const rec = doc.phases[phase];
  if (!rec) return doc;
  const { progress: _p, ...rest } = rec;
  return { ...doc, phases: { ...doc.phases, [phase]: { ...rest, status, finishedAt: ctx.now, ...(error ? { error } : {}) } } };
}

export function onAccept(doc: ProjectDoc, msg: Message<"project.accept.request">, ctx: RuleContext): ProjectDoc {
  if (doc.state !== "ValidatedWithWarnings") {
    throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; only ValidatedWithWarnings can be accepted`);
  }
  const note = msg.body.note ? `: ${msg.body.note}` : "";
  return { ...move(doc, "Validated", msg.type, `warnings accepted by ${msg.body.by}${note}`, ctx, msg), acceptedBy: msg.body.by };
}

/** Which phase a retry runs again: the one that failed, or the one asked for. */
export function retryPhase(doc: ProjectDoc, asked?: Phase): Exclude<Phase, "complete"> | undefined {
  if (asked && asked !== "complete") return asked;
  for (const p of ["scan", "compute", "validate"] as const) if (doc.state === failedState[p]) return p;
  if (doc.state === "ValidatedWithWarnings") return "validate";
  if (doc.state === "Faultlisted" || doc.state === "Quarantined" || doc.state === "Registered") return "scan";
  return undefined;
}

export function onRetry(doc: ProjectDoc, msg: Message<"project.retry.request">, ctx: RuleContext): ProjectDoc | undefined {
  const { by, overrides, lostAfterSeconds } = msg.body;
  if (isActive(doc.state)) return lostAfterSeconds === undefined ? refuseRetry(doc) : requeueLost(doc, msg, lostAfterSeconds, ctx);
  const phase = retryPhase(doc, msg.body.phase);
  if (phase === undefined || !(isFailed(doc.state) || doc.state === "ValidatedWithWarnings" || doc.state === "Faultlisted" || doc.state === "Quarantined" || doc.state === "Scanned" || doc.state === "Computed")) return refuseRetry(doc);
  let d = doc;
  if (d.state === "Faultlisted") d = move(d, "Registered", msg.type, `taken off the faultlist by ${by}`, ctx, msg);
  if (d.state === "Quarantined") d = move(d, "Registered", msg.type, `released from quarantine by ${by}`, ctx, msg);
  const { faultlistReason: _f, quarantineReason: _q, ...rest } = d;
  const budget = overrides?.budget ? { budget: { ...rest.config.budget, ...overrides.budget } } : {};
  const config = overrides ? ProjectConfigSchema.parse({ ...rest.config, ...overrides, ...budget }) : rest.config;
  const changed = overrides ? `, with ${Object.keys(overrides).map((k) => `${k}=${JSON.stringify(overrides[k as keyof typeof overrides])}`).join(", ")}` : "";
  return dispatch({ ...rest, config, lastError: null }, phase, ctx, msg.type, `${phase} again, asked by ${by}${changed}`, { resetAttempts: true, cause: msg });
}

function refuseRetry(doc: ProjectDoc): never {
  throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; retry applies to failed, warned, faultlisted or quarantined projects (or lost ones, with lostAfterSeconds)`);
}

/** A project in progress whose task started longer ago than the limit: its request goes out again, the attempt counted. */
function requeueLost(doc: ProjectDoc, msg: Message<"project.retry.request">, limit: number, ctx: RuleContext): ProjectDoc | undefined {
  const since = lostFor(doc, limit, ctx);
  const phase = phaseOf(doc.state);
  if (since === undefined || !phase || phase === "complete") return undefined;
  return dispatch(doc, phase, ctx, msg.type, `lost: no worker finished ${phase} in ${Math.round(since)} s (limit ${limit} s); queued again by ${msg.body.by}`, { cause: msg });
}

/**
 * Seconds since a started task began, when that is more than `limit`; undefined otherwise. Only a
 * started task can be lost: a request still waiting in its queue is not (it may wait for hours on
 * a busy flock, and the broker keeps it).
 */
function lostFor(doc: ProjectDoc, limit: number, ctx: RuleContext): number | undefined {
  const phase = phaseOf(doc.state);
  const started = phase && phase !== "complete" && isActive(doc.state) ? doc.phases[phase]?.startedAt : undefined;
  if (!started) return undefined;
  const since = (Date.parse(ctx.now) - Date.parse(started)) / 1000;
  return since > limit ? since : undefined;
}

/**
 * The state-tracker's own sweep: a task that started more than `limit` seconds ago and never
 * answered goes out again with its attempt counted; after the last attempt the project fails
 * with the reason, so that nothing stays in progress silently.
 */
export function expireLost(doc: ProjectDoc, limit: number, ctx: RuleContext): ProjectDoc | undefined {
  const since = lostFor(doc, limit, ctx);
  const phase = phaseOf(doc.state);
  if (since === undefined || !phase || phase === "complete") return undefined;
  const attempts = doc.phases[phase]?.attempts ?? 1;
  const why = `lost: no worker finished ${phase} in ${Math.round(since)} s (its budget and a margin: ${limit} s)`;
  if (attempts < ctx.settings.maxAttempts) return dispatch(doc, phase, ctx, "lease.expired", `${why}; attempt ${attempts + 1}/${ctx.settings.maxAttempts}`);
  const error = { kind: "TransientError" as const, message: `${why}, ${attempts} attempts`, permanent: false };
  return move({ ...finish(doc, phase, "failed", ctx, error), lastError: error }, failedState[phase], "lease.expired", `${error.message}; retry it with 'drover retry ${doc.group}/${doc.code}'`, ctx);
}

export function onFaultlist(doc: ProjectDoc, msg: Message<"project.faultlist.request">, ctx: RuleContext): ProjectDoc {
  if (doc.state === "Completed" || doc.state === "Completing" || doc.state === "Faultlisted") {
    throw new DroverError("MessageError", `project ${doc.code} is ${doc.state} and cannot be faultlisted`);
  }
  return { ...move(doc, "Faultlisted", msg.type, `faultlisted by ${msg.body.by}: ${msg.body.reason}`, ctx, msg), faultlistReason: msg.body.reason };
}


export function onUnfaultlist(doc: ProjectDoc, msg: Message<"project.unfaultlist.request">, ctx: RuleContext): ProjectDoc {
  if (doc.state !== "Faultlisted") throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}, not on the faultlist`);
  const { faultlistReason: _f, ...rest } = move(doc, "Registered", msg.type, `taken off the faultlist by ${msg.body.by}`, ctx, msg);
  return advance({ ...rest, lastError: null }, ctx, msg.type, msg);
}

/** The shepherd's admission: a resting project starts its next phase; one already in progress is left alone. */
export function onAdvance(doc: ProjectDoc, msg: Message<"project.advance.request">, ctx: RuleContext): ProjectDoc | undefined {
  if (isActive(doc.state)) return undefined;
  const next = nextPhase[doc.state];
  if (next === undefined || next === "complete") throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; only Registered, Scanned or Computed projects advance`);
  const budget = msg.body.budget && !doc.config.budget ? { ...doc, config: { ...doc.config, budget: msg.body.budget } } : doc;
  return dispatch(budget, next, ctx, msg.type, `${next} admitted by ${msg.body.by}`, { cause: msg });
}

/** A request planned on a state the project has left since (an operator acted, a redelivery): changes nothing. */
export function stillExpected(doc: ProjectDoc, msg: Message): boolean {
  const expect = (msg.body as { expect?: readonly string[] }).expect;
  return expect === undefined || expect.includes(doc.state);
}

/** The review says no: back to compute, with the note kept in the history. */
export function onReject(doc: ProjectDoc, msg: Message<"project.reject.request">, ctx: RuleContext): ProjectDoc {
  if (doc.state !== "ValidatedWithWarnings") throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; only ValidatedWithWarnings can be rejected`);
  const note = msg.body.note ? `: ${msg.body.note}` : "";
  return dispatch({ ...doc, lastError: null }, "compute", ctx, msg.type, `warnings rejected by ${msg.body.by}${note}; compute again`, { resetAttempts: true, cause: msg });
}

export function onQuarantine(doc: ProjectDoc, msg: Message<"project.quarantine.request">, ctx: RuleContext): ProjectDoc | undefined {
  if (doc.state === "Quarantined") return undefined;
  if (!canMove(doc.state, "Quarantined")) throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; only a project at rest that is not Validated or Completed can be quarantined`);
  return { ...move(doc, "Quarantined", msg.type, `quarantined by ${msg.body.by}: ${msg.body.reason}`, ctx, msg), quarantineReason: msg.body.reason };
}

/** Out of quarantine: Registered again, to be scanned anew (by the shepherd's admission, or at once). */
export function onRelease(doc: ProjectDoc, msg: Message<"project.release.request">, ctx: RuleContext): ProjectDoc | undefined {
  if (doc.state !== "Quarantined") throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}, not Quarantined`);
  const { quarantineReason: _q, ...rest } = move(doc, "Registered", msg.type, `released from quarantine by ${msg.body.by}`, ctx, msg);
  return advance({ ...rest, lastError: null }, ctx, msg.type, msg);
}

/** The project as it will be in its new group: same state and outputs, its history saying where it came from. */
export function transferred(doc: ProjectDoc, to: string, driver: ProjectDoc["driver"], by: string, msg: Message, ctx: RuleContext): ProjectDoc {
  if (isActive(doc.state) || doc.state === "Completed") {
    throw new DroverError("MessageError", `project ${doc.code} is ${doc.state}; only a project at rest and not Completed can be transferred`);
  }
  const seq = (doc.history.at(-1)?.seq ?? 0) + 1;
  const entry = { seq, at: ctx.now, from: doc.state, to: doc.state, event: msg.type, reason: `transferred from group ${doc.group} to ${to} by ${by}`, messageId: msg.id, attempt: msg.attempt };
  const { _rev: _r, driver: _d, ...rest } = doc;
  return { ...rest, _id: `project:${to}:${doc.code}`, group: to, ...(driver === "shepherd" ? { driver } : {}), updatedAt: ctx.now, history: [...doc.history, entry], outbox: [] };
}

/**
 * The request of a phase the project is still waiting on was parked in the dead-letter queue (a
 * worker gave up on it): the project fails with the reason instead of waiting for ever.
 */
export function onParked(doc: ProjectDoc, phase: Exclude<Phase, "complete">, requestId: string, reason: string, ctx: RuleContext): ProjectDoc | undefined {
  if (doc.state !== activeState[phase] || doc.phases[phase]?.requestId !== requestId) return undefined;
  const error = { kind: "TransientError" as const, message: `the ${phase} request was parked in the dead-letter queue: ${reason}`, permanent: false };
  const d = { ...finish(doc, phase, "failed", ctx, error), lastError: error };
  return move(d, failedState[phase], "deadletter", `${error.message}; see 'drover deadletters list', then 'drover retry ${doc.group}/${doc.code}'`, ctx);
}
