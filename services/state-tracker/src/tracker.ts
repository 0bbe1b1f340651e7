import { join } from "node:path";
import {
  GroupDocSchema,
  ProjectDocSchema,
  assessGroup,
  count,
  createMessage,
  describeMove,
  groupId,
  listGroups,
  listProjects,
  newGroup,
  newProject,
  onAccept,
  onCompletionQueued,
  onComputed,
  onFailed,
  onFaultlist,
  onProjectCompleted,
  onProjectCompletionFailed,
  onRegistered,
  onRetry,
  onScanned,
  onStarted,
  onValidated,
  moveGroup,
  parseMessage,
  projectId,
  readGroup,
  readProject,
  removeDoc,
  updateDoc,
  registeredAnew,
  startGroupOver,
  type AnsweredRequest,
  type Body,
  type Bus,
  type DocStore,
  type GroupDoc,
  type Logger,
  type Message,
  type ProjectDoc,
  type RuleContext,
  type Selector,
  type TrackerSettings,
} from "@drover/shared";

// The state-tracker: the only writer of lifecycle state. Each handler reads the document,
// applies a rule from shared/tracker, writes it back honouring _rev (the outbox of messages to
// send goes in the same write), publishes the outbox, then lets the bus acknowledge.

export interface TrackerDeps {
  bus: Pick<Bus, "sender" | "publish" | "consume">;
  store: DocStore;
  log: Logger;
  settings: TrackerSettings;
  workDir: string;
  completeDir: string;
}

/** Project documents written per bulk request when a group registers. */
const REGISTER_BATCH = 500;

export interface Tracker {
  /** Publishes what earlier runs decided but did not get to send (a crash between write and publish). */
  recover(): Promise<number>;
  handle(msg: Message): Promise<void>;
}

/** Messages in `after` that were not in `before`. */
function added(before: Message[], after: Message[]): Message[] {
  const old = new Set(before.map((m) => m.id));
  return after.filter((m) => !old.has(m.id));
}

export function createTracker(deps: TrackerDeps): Tracker {
  const { bus, store, log } = deps;
  const ctx = (): RuleContext => ({
    now: new Date().toISOString(),
    settings: deps.settings,
    make: (type, fields, body) => createMessage(type, fields, body, bus.sender),
  });

  async function flush(id: string, schema: typeof ProjectDocSchema | typeof GroupDocSchema, outbox: Message[]): Promise<void> {
    if (outbox.length === 0) return;
    for (const raw of outbox) await bus.publish(parseMessage(raw.type as Selector, raw));
    await clearOutbox(id, schema, outbox);
  }

  /** Takes messages that were published out of a document's outbox. */
  async function clearOutbox(id: string, schema: typeof ProjectDocSchema | typeof GroupDocSchema, outbox: Message[]): Promise<void> {
    const sent = new Set(outbox.map((m) => m.id));
    await updateDoc(store, id, schema as typeof ProjectDocSchema, (cur) =>
      cur && cur.outbox.some((m) => sent.has(m.id)) ? { ...cur, outbox: cur.outbox.filter((m) => !sent.has(m.id)) } : undefined,
    );
  }

  /**
   * A registration whose bulk write conflicted, settled on its own: our write that a replayed
   * request reported as a conflict (its outbox still goes out), a document changed meanwhile
   * (replaced anyway under --replace, else left as it is), or one deleted meanwhile (created).
   * Only this registration's messages are published: a concurrent change sends its own.
   */
  async function settleConflict(d: ProjectDoc, replace: boolean): Promise<boolean> {
    const { _rev: _stale, ...doc } = d;
    const ownWrite = (cur: ProjectDoc) => cur.createdAt === d.createdAt && JSON.stringify(cur.history) === JSON.stringify(d.history);
    let before: ProjectDoc | undefined;
    const r = await updateDoc(store, d._id, ProjectDocSchema, (cur) => {
      before = cur;
      if (!cur || (replace && !ownWrite(cur))) return doc;
      return undefined;
    });
    const ours = new Set(d.outbox.map((m) => m.id));
    if (r.changed && r.doc) {
      await flush(d._id, ProjectDocSchema, added(before?.outbox ?? [], r.doc.outbox));
      return true;
    }
    if (before && ownWrite(before)) {
      await flush(d._id, ProjectDocSchema, before.outbox.filter((m) => ours.has(m.id)));
      return true;
    }
    log.warn({ group: d.group, project: d.code }, `changed while being registered (now ${before?.state ?? "gone"}); left as it is`);
    return false;
  }

  /**
   * Writes new project documents a batch at a time (one bulk write), publishes their outboxes,
   * and clears them (a second bulk write). Returns how many were written.
   */
  async function writeRegistered(group: string, docs: ProjectDoc[], replace: boolean): Promise<number> {
    let written = 0;
    for (let i = 0; i < docs.length; i += REGISTER_BATCH) {
      const batch = docs.slice(i, i + REGISTER_BATCH);
      const stored: ProjectDoc[] = [];
      for (const [k, r] of (await store.putMany(batch)).entries()) {
        const d = batch[k];
        if (!d) continue;
        if ("rev" in r) {
          stored.push({ ...d, _rev: r.rev });
          continue;
        }
        if (await settleConflict(d, replace)) written++;
      }
      await Promise.all(stored.flatMap((d) => d.outbox.map((m) => bus.publish(parseMessage(m.type as Selector, m)))));
      const cleared = await store.putMany(stored.map((d) => ({ ...d, outbox: [] })));
      for (const [k, r] of cleared.entries()) {
        const d = stored[k];
        if (d && !("rev" in r)) await clearOutbox(d._id, ProjectDocSchema, d.outbox);
      }
      written += stored.length;
      if (docs.length > REGISTER_BATCH) log.info({ group }, `registering group ${group}: ${written}/${docs.length} projects`);
    }
    return written;
  }

  /** Applies a rule to a project; on a conflict the rule runs again on the fresh document. */
  async function changeProject(group: string, code: string, rule: (doc: ProjectDoc) => ProjectDoc | undefined): Promise<ProjectDoc | undefined> {
    const id = projectId(group, code);
    let missing = false;
    let before: ProjectDoc | undefined;
    const { doc, changed } = await updateDoc(store, id, ProjectDocSchema, (cur) => {
      before = cur;
      if (!cur) {
        missing = true;
        return undefined;
      }
      return rule(cur);
    });
    if (missing) {
      log.warn({ group, project: code }, "message about a project that is not registered; ignored");
      return undefined;
    }
    if (!changed || !doc) return undefined;
    for (const h of doc.history.slice(before?.history.length ?? 0)) log.info({ group, project: code }, `${describeMove(h)}: ${h.reason}`);
    // Only what this change decided: messages left by a concurrent change are that change's to send.
    await flush(doc._id, ProjectDocSchema, added(before?.outbox ?? [], doc.outbox));
    return doc;
  }

  /** Applies a rule to a group; returns the new document and the messages this change added. */
  async function changeGroup(group: string, rule: (g: GroupDoc) => GroupDoc | undefined): Promise<{ doc: GroupDoc; added: Message[] } | undefined> {
    let before: GroupDoc | undefined;
    const { doc, changed } = await updateDoc(store, groupId(group), GroupDocSchema, (cur) => {
      before = cur;
      return cur ? rule(cur) : undefined;
    });
    if (!changed || !doc) return undefined;
    for (const h of doc.history.slice(before?.history.length ?? 0)) log.info({ group }, `group ${group}: ${describeMove(h)}: ${h.reason}`);
    return { doc, added: added(before?.outbox ?? [], doc.outbox) };
  }

  /** After a project changed: does its group complete, stall, or resume? */
  async function reviewGroup(group: string, event: string, retryCompletion = false): Promise<void> {
    const g = await readGroup(store, groupId(group));
    if (!g || g.state === "Completing" || g.state === "Completed") return;
    const counts = await store.countStates(group);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const active = counts.Scanning + counts.Computing + counts.Validating + counts.Completing;
    const ready = counts.Validated + (retryCompletion ? counts.CompletionFailed : 0);
    // Reading every project is only needed at the decision points.
    if (active > 0 && g.state !== "Incomplete" && ready < total - counts.Faultlisted) return;
    const projects = (await listProjects(store, group)).map((p) => (retryCompletion && p.state === "CompletionFailed" ? { ...p, state: "Validated" as const } : p));
    let decision: ReturnType<typeof assessGroup> = { kind: "none" };
    const moved = await changeGroup(group, (cur) => {
      decision = assessGroup(cur, projects, deps.completeDir, event, ctx());
      return decision.kind === "none" ? undefined : decision.group;
    });
    if (!moved) return;
    await queueCompletion(moved.doc);
    await flush(moved.doc._id, GroupDocSchema, moved.added);
  }

  /** A group moving to Completing takes its validated projects along before the request goes out. */
  async function queueCompletion(g: GroupDoc): Promise<void> {
    if (g.state !== "Completing") return;
    const request = g.outbox.find((m) => m.type === "group.complete.request");
    if (!request) return;
    const req = parseMessage("group.complete.request", request);
    for (const p of req.body.projects) await changeProject(g.name, p.code, (doc) => onCompletionQueued(doc, req, ctx()));
  }

  /** Tells whoever sent a request what came of it. Best effort: the change itself is already stored. */
  async function answer(msg: Message<AnsweredRequest>, outcome: Body<"request.answered">["outcome"], message: string, state?: string): Promise<void> {
    try {
      await bus.publish(createMessage("request.answered", { group: msg.group, project: msg.project, correlationId: msg.id }, { request: msg.type, outcome, message, ...(state ? { state } : {}) }, bus.sender));
    } catch (e) {
      log.warn({ group: msg.group, project: msg.project, err: (e as Error).message }, `could not answer ${msg.type}`);
    }
  }

  async function register(msg: Message<"group.register.request">): Promise<void> {
    const now = new Date().toISOString();
    const { groupFile, replace } = msg.body;
    const codes = msg.body.projects.map((p) => p.code);
    let previous: GroupDoc | undefined;
    const { doc } = await updateDoc(store, groupId(msg.group), GroupDocSchema, (cur) => {
      previous = cur;
      if (!cur) return newGroup(msg.group, groupFile, codes, now);
      if (replace) return startGroupOver(cur, groupFile, codes, msg.type, ctx());
      const known = new Set(cur.projects);
      const added = codes.filter((c) => !known.has(c));
      if (added.length === 0) return undefined;
      return { ...cur, projects: [...cur.projects, ...added], updatedAt: now };
    });
    const existing = new Map((await listProjects(store, msg.group)).map((p) => [p.code, p]));
    const fresh: ProjectDoc[] = [];
    for (const p of msg.body.projects) {
      const cur = existing.get(p.code);
      if (cur && !replace) {
        log.warn({ group: msg.group, project: p.code }, `already registered (${cur.state}); left as it is`);
        continue;
      }
      const workDir = join(deps.workDir, "in_progress", msg.group, p.code);
      const doc = onRegistered(newProject(msg.group, p.code, p.files, p.config, workDir, now), ctx());
      fresh.push(cur ? { ...registeredAnew(doc, cur), _rev: cur._rev } : doc);
    }
    const created = await writeRegistered(msg.group, fresh, replace);
    let removed = 0;
    if (replace) {
      const listed = new Set(codes);
      for (const p of existing.values()) {
        if (listed.has(p.code)) continue;
        await removeDoc(store, p._id);
        removed++;
      }
    }
    const total = doc?.projects.length ?? codes.length;
    const summary = replace && previous
      ? `group ${msg.group} started over (was ${previous.state}): ${count(created, "project")} registered anew${removed ? `, ${removed} no longer listed removed` : ""}`
      : `group ${msg.group} registered: ${count(created, "new project")}${codes.length - created ? `, ${codes.length - created} already known` : ""} (${count(total, "project")} in the group)`;
    log.info({ group: msg.group }, summary);
    await answer(msg, created > 0 || removed > 0 ? "done" : "unchanged", summary, doc?.state);
    await reviewGroup(msg.group, msg.type);
  }

  async function completionDone(msg: Message<"group.complete.succeeded">): Promise<void> {
    const g0 = await readGroup(store, groupId(msg.group));
    if (!g0 || g0.state !== "Completing" || g0.completion?.requestId !== msg.correlationId) return;
    // Projects first: a group reads Completed only once every project does.
    for (const item of msg.body.items) await changeProject(msg.group, item.code, (p) => onProjectCompleted(p, item, msg, ctx()));
    const g = await changeGroup(msg.group, (cur) =>
      cur.state === "Completing" && cur.completion?.requestId === msg.correlationId
        ? { ...moveGroup(cur, "Completed", msg.type, [`${msg.body.items.length} products published in ${join(msg.body.completeDir, msg.group)}`], ctx()), completedAt: new Date().toISOString(), completeDir: msg.body.completeDir }
        : undefined,
    );
    if (g) await flush(g.doc._id, GroupDocSchema, g.added);
  }

  async function completionFailed(msg: Message<"group.complete.failed">): Promise<void> {
    const err = msg.body.error;
    const g0 = await readGroup(store, groupId(msg.group));
    if (!g0 || g0.state !== "Completing" || g0.completion?.requestId !== msg.correlationId) return;
    const retry = !err.permanent && (g0.completion?.attempts ?? 1) < deps.settings.maxAttempts;
    for (const code of g0.projects) await changeProject(msg.group, code, (p) => onProjectCompletionFailed(p, err, msg, ctx()));
    const g = await changeGroup(msg.group, (cur) =>
      cur.state === "Completing" ? { ...moveGroup(cur, "Incomplete", msg.type, [`completion failed: ${err.kind}: ${err.message}`], ctx()), completion: { ...cur.completion, requestId: cur.completion?.requestId ?? "", attempts: cur.completion?.attempts ?? 1, error: err } } : undefined,
    );
    if (g) await flush(g.doc._id, GroupDocSchema, g.added);
    if (retry) await reviewGroup(msg.group, msg.type, true);
  }

  async function operator(msg: Message<"project.accept.request" | "project.retry.request" | "project.faultlist.request">): Promise<void> {
    const project = msg.project;
    if (!project) {
      log.warn({ group: msg.group }, `${msg.type} without a project; ignored`);
      await answer(msg, "refused", `${msg.type} names no project`);
      return;
    }
    try {
      const doc = await changeProject(msg.group, project, (p) => {
        if (msg.type === "project.accept.request") return onAccept(p, msg as Message<"project.accept.request">, ctx());
        if (msg.type === "project.faultlist.request") return onFaultlist(p, msg as Message<"project.faultlist.request">, ctx());
        if (p.state === "CompletionFailed") return undefined;
        return onRetry(p, msg as Message<"project.retry.request">, ctx());
      });
      if (doc) {
        await answer(msg, "done", doc.history.at(-1)?.reason ?? `now ${doc.state}`, doc.state);
        return;
      }
      const p = await readProject(store, projectId(msg.group, project));
      if (!p) {
        await answer(msg, "refused", `no project ${project} in group ${msg.group}`);
      } else if (msg.type === "project.retry.request" && p.state === "CompletionFailed") {
        await reviewGroup(msg.group, msg.type, true);
        await answer(msg, "done", `completion of group ${msg.group} asked again`, p.state);
      } else {
        await answer(msg, "unchanged", `${project} is ${p.state}: nothing to change`, p.state);
      }
    } catch (e) {
      log.warn({ group: msg.group, project }, `refused ${msg.type}: ${(e as Error).message}`);
      const p = await readProject(store, projectId(msg.group, project)).catch(() => undefined);
      await answer(msg, "refused", (e as Error).message, p?.state);
    }
  }

  const phaseOf = (type: string) => type.split(".")[1] as "scan" | "compute" | "validate";

  async function handle(msg: Message): Promise<void> {
    const ctxNow = ctx();
    const project = msg.project ?? "";
    switch (msg.type) {
      case "group.register.request":
        return register(msg as Message<"group.register.request">);
      case "project.scan.started":
      case "project.compute.started":
      case "project.validate.started":
        await changeProject(msg.group, project, (p) => onStarted(p, phaseOf(msg.type), msg as Message<"project.scan.started">));
        return;
      case "project.scan.succeeded":
        await changeProject(msg.group, project, (p) => onScanned(p, msg as Message<"project.scan.succeeded">, ctxNow));
        break;
      case "project.compute.succeeded":
        await changeProject(msg.group, project, (p) => onComputed(p, msg as Message<"project.compute.succeeded">, ctxNow));
        break;
      case "project.validate.succeeded":
        await changeProject(msg.group, project, (p) => onValidated(p, msg as Message<"project.validate.succeeded">, ctxNow));
        break;
      case "project.scan.failed":
      case "project.compute.failed":
      case "project.validate.failed":
        await changeProject(msg.group, project, (p) => onFailed(p, phaseOf(msg.type), msg as Message<"project.scan.failed">, ctxNow));
        break;
      case "group.complete.started":
        log.info({ group: msg.group }, `completion started by ${(msg as Message<"group.complete.started">).body.worker}`);
        return;
      case "group.complete.succeeded":
        return completionDone(msg as Message<"group.complete.succeeded">);
      case "group.complete.failed":
        return completionFailed(msg as Message<"group.complete.failed">);
      case "project.accept.request":
      case "project.retry.request":
      case "project.faultlist.request":
        await operator(msg as Message<"project.accept.request">);
        break;
      default:
        log.warn({ type: msg.type }, "the state-tracker does not handle this selector");
        return;
    }
    await reviewGroup(msg.group, msg.type);
  }

  async function recover(): Promise<number> {
    let n = 0;
    for (const id of await store.pendingOutbox()) {
      if (id.startsWith("group:")) {
        const g = await readGroup(store, id);
        if (!g) continue;
        await queueCompletion(g);
        await flush(id, GroupDocSchema, g.outbox);
        n += g.outbox.length;
      } else {
        const p = await readProject(store, id);
        if (!p) continue;
        await flush(id, ProjectDocSchema, p.outbox);
        n += p.outbox.length;
      }
    }
    // Groups whose projects all finished while no tracker was running.
    for (const g of await listGroups(store)) if (g.state === "Active" || g.state === "Incomplete") await reviewGroup(g.name, "recovery");
    return n;
  }

  return { recover, handle };
}
