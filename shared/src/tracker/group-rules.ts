import { capList, capText, MAX_LIST, MAX_REASON } from "../bounds.js";
import type { GroupDoc, ProjectDoc } from "../documents.js";
import type { GroupState } from "../lifecycle.js";
import { isActive, isFailed } from "../lifecycle.js";
import type { Message } from "../messages.js";
import type { ErrorDetailData } from "../schemas.js";
import { move, type RuleContext } from "./project-rules.js";
import { count } from "../words.js";

// Group-level decisions: a group completes when every project that is not faultlisted is
// Validated; it is Incomplete, with one reason per blocking project, when nothing is running
// and something needs an operator.

export function newGroup(name: string, groupFile: string, codes: string[], now: string): GroupDoc {
  return {
    _id: `group:${name}`,
    type: "group",
    name,
    groupFile,
    projects: codes,
    state: "Active",
    reasons: [],
    createdAt: now,
    updatedAt: now,
    history: [{ seq: 1, at: now, from: null, to: "Active", event: "group.register.request", reason: `registered with ${count(codes.length, "project")}` }],
    outbox: [],
  };
}

/** A group launched again with --replace: Active again, with the new file's projects, its history kept. */
export function startGroupOver(g: GroupDoc, groupFile: string, codes: string[], event: string, ctx: RuleContext): GroupDoc {
  const { completion: _c, completedAt: _a, completeDir: _d, ...rest } = g;
  return moveGroup({ ...rest, groupFile, projects: codes, startedOver: true }, "Active", event, [`started over from ${groupFile} with ${count(codes.length, "project")} (was ${g.state})`], ctx);
}

/** A group's reasons as its document keeps them: each line cut, at most MAX_LIST of them (a group's document stays small). */
export function groupReasons(why: readonly string[]): string[] {
  return capList(why.map((r) => capText(r, MAX_REASON)), MAX_LIST, (n) => `… (${n} more)`);
}

export function moveGroup(g: GroupDoc, to: GroupState, event: string, why: string[], ctx: RuleContext): GroupDoc {
  const seq = (g.history.at(-1)?.seq ?? 0) + 1;
  const reasons = groupReasons(why);
  const reason = capText(reasons.length > 0 ? reasons.join("; ") : to, MAX_REASON);
  const notice = ctx.make("group.state.changed", { group: g.name }, { from: g.state, to, reasons });
  return { ...g, state: to, reasons, updatedAt: ctx.now, history: [...g.history, { seq, at: ctx.now, from: g.state, to, event, reason }], outbox: [...g.outbox, notice] };
}

/**
 * What a group's decision reads of each project: its state, why it is stuck, and what would be
 * published. A review keeps only this of every project, so that a group of tens of thousands is
 * decided on without their histories, files and reports in memory.
 */
export interface GroupMember {
  code: string;
  group: string;
  state: ProjectDoc["state"];
  driver?: ProjectDoc["driver"];
  lastError: ProjectDoc["lastError"];
  quarantineReason?: string | undefined;
  validation?: { status: string } | undefined;
  compute?: { revision: string } | undefined;
  outputs: Pick<ProjectDoc["outputs"], "product" | "dataReport" | "metadataReport">;
}

/** A project as a group's decision reads it (see GroupMember). */
export function groupMember(p: ProjectDoc): GroupMember {
  const { product, dataReport, metadataReport } = p.outputs;
  return {
    code: p.code,
    group: p.group,
    state: p.state,
    ...(p.driver ? { driver: p.driver } : {}),
    lastError: p.lastError,
    ...(p.quarantineReason !== undefined ? { quarantineReason: p.quarantineReason } : {}),
    ...(p.validation ? { validation: { status: p.validation.status } } : {}),
    ...(p.compute ? { compute: { revision: p.compute.revision } } : {}),
    outputs: { ...(product !== undefined ? { product } : {}), ...(dataReport !== undefined ? { dataReport } : {}), ...(metadataReport !== undefined ? { metadataReport } : {}) },
  };
}

/** Why a project holds its group back, in one line. */
export function blockingReason(p: GroupMember): string | undefined {
  if (isFailed(p.state)) return `${p.code}: ${p.state}: ${p.lastError ? `${p.lastError.kind}: ${p.lastError.message}` : "see its history"}`;
  if (p.state === "ValidatedWithWarnings") return `${p.code}: ValidatedWithWarnings (${p.validation?.status ?? "warnings"}); accept it with 'drover accept ${p.group} ${p.code}' or retry`;
  if (p.state === "Quarantined") return `${p.code}: Quarantined: ${p.quarantineReason ?? "see its history"}; release it with 'drover release ${p.group} ${p.code}' or faultlist it`;
  if (p.driver === "shepherd" && (p.state === "Registered" || p.state === "Scanned" || p.state === "Computed")) return undefined;
  if (p.state === "Registered" || p.state === "Scanned" || p.state === "Computed") return `${p.code}: waiting in ${p.state} (auto-advance is off); run 'drover retry ${p.group} ${p.code}'`;
  return undefined;
}

export type GroupDecision =
  | { kind: "none" }
  | { kind: "move"; group: GroupDoc }
  | { kind: "complete"; group: GroupDoc; request: Message<"group.complete.request">; projects: string[] };

/**
 * Projects published by one group.complete.request. The request lists each one (its product and
 * reports, about 370 bytes) and the bus takes bodies of at most 1 MiB: a larger group is published
 * a batch at a time, the next requested when the one before succeeded.
 */
export const COMPLETION_BATCH = 500;

/** A group whose completion has published a batch: what it published before has been withdrawn, if it was started over. */
export function publishedOnce(g: GroupDoc): GroupDoc {
  const { startedOver: _s, ...rest } = g;
  return rest;
}

/** The request publishing these projects (at most COMPLETION_BATCH of them); `startOver` for the first batch of a group started over. */
export function completionRequest(group: string, attempt: number, completeDir: string, projects: GroupMember[], ctx: RuleContext, startOver = false): Message<"group.complete.request"> {
  return ctx.make(
    "group.complete.request",
    { group, attempt },
    {
      completeDir,
      ...(startOver ? { startOver: true as const } : {}),
      projects: projects.map((p) => ({
        code: p.code,
        product: p.outputs.product ?? "",
        revision: p.compute?.revision ?? "z1.0",
        dataReport: p.outputs.dataReport ?? "",
        metadataReport: p.outputs.metadataReport ?? "",
      })),
    },
  );
}

/**
 * What the group should do now that its projects are in these states. A group completes when every
 * project that is not faultlisted is Validated (or already Completed); only the Validated ones are
 * published. A Completed group whose project was retried afterwards (taken off the faultlist, say)
 * publishes that project once it is Validated, whatever the others do.
 */
export function assessGroup(g: GroupDoc, projects: GroupMember[], completeDir: string, event: string, ctx: RuleContext): GroupDecision {
  if (g.state === "Completing") return { kind: "none" };
  // A registration still writing its projects (the group lists codes not yet stored): wait for it.
  if (projects.length < g.projects.length) return { kind: "none" };
  const eligible = projects.filter((p) => p.state !== "Faultlisted");
  const validated = eligible.filter((p) => p.state === "Validated");
  const publish = g.state === "Completed" ? validated.length > 0 : validated.length > 0 && eligible.every((p) => p.state === "Validated" || p.state === "Completed");
  if (g.state === "Completed" && !publish) return { kind: "none" };
  if (publish) {
    const again = g.state === "Completed";
    const attempts = again ? 1 : (g.completion?.attempts ?? 0) + 1;
    const request = completionRequest(g.name, attempts, completeDir, validated.slice(0, COMPLETION_BATCH), ctx, g.startedOver === true);
    const pending = validated.slice(COMPLETION_BATCH).map((p) => p.code);
    const skipped = projects.length - eligible.length;
    const done = eligible.length - validated.length;
    const why = again
      ? `${count(validated.length, "project")} validated after the group completed: publishing ${validated.length === 1 ? "it" : "them"} (what was published stays)`
      : `all ${eligible.length} projects validated${skipped ? ` (${skipped} faultlisted)` : ""}${done ? ` (${done} published before)` : ""}`;
    let next = moveGroup(g, "Completing", event, [why], ctx);
    next = { ...next, completion: { requestId: request.id, attempts, ...(pending.length > 0 ? { pending } : {}) }, outbox: [...next.outbox, request] };
    return { kind: "complete", group: next, request, projects: validated.map((p) => p.code) };
  }
  const running = projects.some((p) => isActive(p.state));
  if (!running) {
    const reasons = projects.map(blockingReason).filter((r): r is string => r !== undefined);
    if (eligible.length === 0) reasons.push("every project is faultlisted");
    if (reasons.length > 0 && (g.state !== "Incomplete" || JSON.stringify(groupReasons(reasons)) !== JSON.stringify(g.reasons))) {
      return { kind: "move", group: moveGroup(g, "Incomplete", event, reasons, ctx) };
    }
  } else if (g.state === "Incomplete") {
    return { kind: "move", group: moveGroup(g, "Active", event, ["work resumed"], ctx) };
  }
  return { kind: "none" };
}

export function onCompletionQueued(p: ProjectDoc, request: Message<"group.complete.request">, ctx: RuleContext): ProjectDoc | undefined {
  if (p.state !== "Validated" && p.state !== "CompletionFailed") return undefined;
  const attempts = (p.phases.complete?.attempts ?? 0) + 1;
  const d = move(p, "Completing", request.type, `group completion requested (attempt ${request.attempt})`, ctx, request);
  return { ...d, phases: { ...d.phases, complete: { status: "queued", attempts, queuedAt: ctx.now, requestId: request.id } } };
}

export function onProjectCompleted(p: ProjectDoc, item: { product: string; report: string }, msg: Message, ctx: RuleContext): ProjectDoc | undefined {
  if (p.state !== "Completing") return undefined;
  const rec = p.phases.complete;
  const d = move(p, "Completed", msg.type, `published to ${item.product}`, ctx, msg);
  return {
    ...d,
    outputs: { ...d.outputs, completedProduct: item.product, completedReport: item.report },
    phases: rec ? { ...d.phases, complete: { ...rec, status: "succeeded", finishedAt: ctx.now } } : d.phases,
  };
}

export function onProjectCompletionFailed(p: ProjectDoc, error: ErrorDetailData, msg: Message, ctx: RuleContext): ProjectDoc | undefined {
  if (p.state !== "Completing") return undefined;
  const rec = p.phases.complete;
  const d = move(p, "CompletionFailed", msg.type, `${error.kind}: ${error.message}`, ctx, msg);
  return { ...d, lastError: error, phases: rec ? { ...d.phases, complete: { ...rec, status: "failed", finishedAt: ctx.now, error } } : d.phases };
}
