import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  assessGroup,
  COMPLETION_BATCH,
  completionRequest,
  publishedOnce,
  count,
  createMessage,
  describeMove,
  groupId,
  groupMember,
  type GroupMember,
  listGroups,
  listProjects,
  planRegistration,
  registeredGroup,
  retire,
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
  onUnfaultlist,
  onAdvance,
  stillExpected,
  expireLost,
  GroupDocSchema,
  onParked,
  deadLetterDoc,
  DeadLetterDocSchema,
  ConflictError,
  type ParkedMessage,
  onReject,
  onQuarantine,
  onRelease,
  transferred,
  projectRequests,
  type ProjectRequest,
  onScanned,
  onStarted,
  onValidated,
  moveGroup,
  parseMessage,
  projectId,
  projectPages,
  projectsInState,
  readGroup,
  readLaunch,
  readProject,
  readProjects,
  removeDoc,
  storeHistory,
  trimHistory,
  copyHistory,
  removeHistory,
  dropLaunch,
  registeredAnew,
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
import { createCoalescer } from "./coalesce.js";
import { createDocWriter, type ChangeOptions } from "./doc-writer.js";

// The state-tracker: the only writer of lifecycle state. Each handler applies a rule from
// shared/tracker to the project's document (the version it last saw, else a fresh read), writes
// it back honouring _rev (the outbox of messages to send goes in the same write), publishes the
// outbox, then lets the bus acknowledge. Whether a group completes, stalls or resumes is decided
// by a review that runs per group at most once at a time, folding the changes that came meanwhile.

export interface TrackerDeps {
  bus: Pick<Bus, "sender" | "publish" | "consume">;
  store: DocStore;
  log: Logger;
  settings: TrackerSettings;
  workDir: string;
  completeDir: string;
  /** Least wait between two reviews of a group, in ms (default 200; longer when a review is slow). */
  reviewDelayMs?: number;
  /** Project documents remembered between changes (default 2000). */
  cacheSize?: number;
  /** How long published messages may wait in an outbox for the document's next change to take them out (default 100 ms). */
  clearAfterMs?: number;
  /** A task's time budget when its project has none (the workers' DROVER_TASK_TIMEOUT; default 3600 s). */
  taskTimeoutSeconds?: number;
  /** Seconds past the budget × 1.25 before a started task counts as lost (DROVER_LOST_MARGIN; default 120). */
  lostMarginSeconds?: number;
}

/** Project documents written per bulk request when a group registers or moves together. */
const BULK_BATCH = 500;
/** Rows of the state view read at a time by the search for lost tasks (about 100 bytes each). */
const EXPIRE_PAGE = 5000;

export interface Tracker {
  /** Publishes what earlier runs decided but did not get to send (a crash between write and publish). */
  recover(): Promise<number>;
  handle(msg: Message): Promise<void>;
  /** Resolves once no group review is waiting or running and published messages left their outboxes (tests; a clean stop). */
  idle(): Promise<void>;
  /**
   * Asks for a review of every active or incomplete group. A review runs after the message that
   * asked for it was acknowledged: one lost with a copy of the tracker that stopped is made up
   * for by the next sweep of any copy (and by `recover` at a start).
   */
  sweep(): Promise<void>;
  /**
   * The periodic pass that keeps anything from being stuck silently: messages left in an outbox
   * for a minute are sent again, and a task started longer ago than its budget allows is sent
   * again (attempt counted) or, after the last attempt, fails its project with the reason.
   */
  expire(now?: number): Promise<{ resent: number; expired: number }>;
  /** A message parked in the dead-letter queue: kept for operators; a project waiting on it fails with the reason. */
  parked(m: ParkedMessage): Promise<void>;
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
  /** A project's history beyond its bound goes to a document of its own, stored first. */
  const prepareProject = async (d: ProjectDoc): Promise<ProjectDoc> => {
    const t = trimHistory(d);
    if (t.archive) await storeHistory(store, t.archive);
    return t.doc;
  };
  const projects = createDocWriter<ProjectDoc>(store, (id) => readProject(store, id), { cacheSize: deps.cacheSize ?? 2000, clearAfterMs: deps.clearAfterMs ?? 100, prepare: prepareProject });
  const groups = createDocWriter<GroupDoc>(store, (id) => readGroup(store, id), { cacheSize: 0, clearAfterMs: 0 });
  const minDelay = deps.reviewDelayMs ?? 200;
  const lastEvent = new Map<string, string>();
  const reviews = createCoalescer(
    (group) => reviewGroup(group, lastEvent.get(group) ?? "review"),
    // A slow review (a large group's count) runs less often, so that it takes at most a third of the time.
    (lastMs) => Math.min(5_000, Math.max(minDelay, 2 * lastMs)),
    (group, e) => log.error({ group, err: (e as Error).message }, `could not review group ${group}; the next change reviews it again`),
  );
  const askReview = (group: string, event: string) => {
    lastEvent.set(group, event);
    reviews.ask(group);
  };

  // Sent together (a channel keeps their order) and confirmed together: one write to the broker.
  const publishAll = async (msgs: Message[]) => {
    await Promise.all(msgs.map((raw) => bus.publish(parseMessage(raw.type as Selector, raw))));
  };

  /** Publishes what a change added to a project's outbox, then takes it out. */
  async function flushProject(doc: ProjectDoc, outbox: Message[]): Promise<void> {
    if (outbox.length === 0) return;
    await publishAll(outbox);
    await projects.clearSent(doc, outbox);
  }

  async function flushGroup(doc: GroupDoc, outbox: Message[]): Promise<void> {
    if (outbox.length === 0) return;
    await publishAll(outbox);
    await groups.clearSent(doc, outbox);
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
    projects.forget(d._id);
    const r = await projects.change(d._id, (cur) => (!cur || (replace && !ownWrite(cur)) ? doc : undefined));
    const ours = new Set(d.outbox.map((m) => m.id));
    if (r.changed && r.doc) {
      await flushProject(r.doc, added(r.before?.outbox ?? [], r.doc.outbox));
      return true;
    }
    if (r.before && ownWrite(r.before)) {
      await flushProject(r.before, r.before.outbox.filter((m) => ours.has(m.id)));
      return true;
    }
    log.warn({ group: d.group, project: d.code }, `changed while being registered (now ${r.before?.state ?? "gone"}); left as it is`);
    return false;
  }

  /**
   * Writes changed project documents a batch at a time (one bulk write), publishes what each
   * added to its outbox, and clears them (a second bulk write). A document that conflicts is
   * settled by `onConflict`. Returns how many were written.
   */
  async function writeMany(changes: Array<{ before: Message[]; doc: ProjectDoc; logFrom?: number }>, onConflict: (doc: ProjectDoc) => Promise<boolean>): Promise<number> {
    let written = 0;
    for (let i = 0; i < changes.length; i += BULK_BATCH) {
      const batch = await Promise.all(changes.slice(i, i + BULK_BATCH).map(async (c) => ({ ...c, doc: await prepareProject(c.doc) })));
      const stored: Array<{ doc: ProjectDoc; sent: Message[] }> = [];
      for (const [k, r] of (await store.putMany(batch.map((c) => c.doc))).entries()) {
        const c = batch[k];
        if (!c) continue;
        if ("rev" in r) {
          const doc = { ...c.doc, _rev: r.rev };
          projects.remember(doc);
          stored.push({ doc, sent: added(c.before, doc.outbox) });
          if (c.logFrom !== undefined) for (const h of doc.history.filter((e) => e.seq > (c.logFrom ?? 0))) log.info({ group: doc.group, project: doc.code }, `${describeMove(h)}: ${h.reason}`);
          continue;
        }
        if (await onConflict(c.doc)) written++;
      }
      await Promise.all(stored.flatMap(({ sent }) => sent.map((m) => bus.publish(parseMessage(m.type as Selector, m)))));
      for (const { doc, sent } of stored) await projects.clearSent(doc, sent);
      // A batch's outboxes leave together, at once: a group's move reads as done once its projects' does.
      await projects.flush();
      written += stored.length;
    }
    return written;
  }

  /** Applies a rule to many projects at once (a group moving together), a batch at a time; conflicts are redone one by one. */
  async function changeMany(docs: ProjectDoc[], rule: (doc: ProjectDoc) => ProjectDoc | undefined): Promise<number> {
    const redo = async (d: ProjectDoc) => {
      projects.forget(d._id);
      return (await changeProject(d.group, d.code, rule)) !== undefined;
    };
    let written = 0;
    for (let i = 0; i < docs.length; i += BULK_BATCH) {
      const changes = docs.slice(i, i + BULK_BATCH).flatMap((d) => {
        const next = rule(structuredClone(d));
        return next ? [{ before: d.outbox, doc: next, logFrom: d.history.at(-1)?.seq ?? 0 }] : [];
      });
      written += await writeMany(changes, redo);
    }
    return written;
  }

  /** Applies a rule to a project; on a conflict the rule runs again on the fresh document. */
  async function changeProject(group: string, code: string, rule: (doc: ProjectDoc) => ProjectDoc | undefined, options?: ChangeOptions): Promise<ProjectDoc | undefined> {
    let missing = false;
    const { before, doc, changed } = await projects.change(projectId(group, code), (cur) => {
      missing = !cur;
      return cur ? rule(cur) : undefined;
    }, options);
    if (missing) {
      log.warn({ group, project: code }, "message about a project that is not registered; ignored");
      return undefined;
    }
    if (!changed || !doc) return undefined;
    const lastSeen = before?.history.at(-1)?.seq ?? 0;
    for (const h of doc.history.filter((e) => e.seq > lastSeen)) log.info({ group, project: code }, `${describeMove(h)}: ${h.reason}`);
    // Only what this change decided: messages left by a concurrent change are that change's to send.
    await flushProject(doc, added(before?.outbox ?? [], doc.outbox));
    return doc;
  }

  /** Applies a rule to a group; returns the new document and the messages this change added. */
  async function changeGroup(group: string, rule: (g: GroupDoc) => GroupDoc | undefined): Promise<{ doc: GroupDoc; added: Message[] } | undefined> {
    const { before, doc, changed } = await groups.change(groupId(group), (cur) => (cur ? rule(cur) : undefined));
    if (!changed || !doc) return undefined;
    for (const h of doc.history.slice(before?.history.length ?? 0)) log.info({ group }, `group ${group}: ${describeMove(h)}: ${h.reason}`);
    return { doc, added: added(before?.outbox ?? [], doc.outbox) };
  }

  /** After projects changed: does the group complete, stall, or resume? */
  async function reviewGroup(group: string, event: string, retryCompletion = false): Promise<void> {
    const g = await groups.fresh(groupId(group));
    if (!g || g.state === "Completing") return;
    const counts = await store.countStates(group);
    // A Completed group has something to do only when a project retried since is Validated: it is published.
    if (g.state === "Completed" && counts.Validated === 0) return;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const active = counts.Scanning + counts.Computing + counts.Validating + counts.Completing;
    const ready = counts.Validated + counts.Completed + (retryCompletion ? counts.CompletionFailed : 0);
    // Reading every project is only needed at the decision points.
    if (active > 0 && g.state === "Active" && ready < total - counts.Faultlisted) return;
    // The decision needs each project's state, outputs and last error (a GroupMember), not its
    // history, files or reports: read a page at a time and keep only that.
    const all: GroupMember[] = [];
    for await (const page of projectPages(store, group)) {
      for (const p of page) all.push({ ...groupMember(p), ...(retryCompletion && p.state === "CompletionFailed" ? { state: "Validated" as const } : {}) });
    }
    let decision: ReturnType<typeof assessGroup> = { kind: "none" };
    const moved = await changeGroup(group, (cur) => {
      decision = assessGroup(cur, all, cur.completeDir ?? deps.completeDir, event, ctx());
      return decision.kind === "none" ? undefined : decision.group;
    });
    if (!moved) return;
    await queueCompletion(moved.doc);
    await flushGroup(moved.doc, moved.added);
  }

  /** A group moving to Completing takes its validated projects along (one bulk write) before the request goes out. */
  async function queueCompletion(g: GroupDoc): Promise<void> {
    if (g.state !== "Completing") return;
    const request = g.outbox.find((m) => m.type === "group.complete.request");
    if (!request) return;
    const req = parseMessage("group.complete.request", request);
    // Every project the completion publishes, in this request's batch or a later one.
    const codes = new Set([...req.body.projects.map((p) => p.code), ...(g.completion?.pending ?? [])]);
    for await (const page of projectPages(store, g.name, BULK_BATCH)) await changeMany(page.filter((p) => codes.has(p.code)), (doc) => onCompletionQueued(doc, req, ctx()));
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
    const body = msg.body;
    const { replace, sync, driver } = body;
    const chunks = await readLaunch(store, msg.group, { launch: body.launch, chunks: body.chunks, projects: body.projects });
    if (!chunks) {
      // Registered and deleted already: this is a redelivery of a request that was handled.
      log.info({ group: msg.group }, `launch ${body.launch} of group ${msg.group} was registered before; nothing to do`);
      await answer(msg, "unchanged", `launch ${body.launch} of group ${msg.group} was already registered`);
      return;
    }
    const listedProjects = chunks.flatMap((c) => c.projects);
    const codes = listedProjects.map((p) => p.code);
    let previous: GroupDoc | undefined;
    let closed: GroupDoc["state"] | undefined;
    const { doc } = await groups.change(groupId(msg.group), (cur) => {
      previous = cur;
      // A group whose products are (being) published takes no sync: a later edit of its file would be lost in them.
      closed = sync && cur && (cur.state === "Completing" || cur.state === "Completed") ? cur.state : undefined;
      return closed ? undefined : registeredGroup(cur, msg.group, body, codes, now, msg.type, ctx());
    });
    if (closed) {
      await dropLaunch(store, chunks);
      await answer(msg, "refused", `group ${msg.group} is ${closed}; its file changed after it completed: drop the file under a new name to run it again`, closed);
      return;
    }
    const existing = new Map((await listProjects(store, msg.group)).map((p) => [p.code, p]));
    const plan = planRegistration(body, listedProjects, existing);
    if (!replace && !sync) for (const cur of plan.kept) log.warn({ group: msg.group, project: cur.code }, `already registered (${cur.state}); left as it is`);
    // Built a batch at a time: a large group's documents are never all in memory at once.
    let created = 0;
    for (let i = 0; i < plan.write.length; i += BULK_BATCH) {
      const batch = plan.write.slice(i, i + BULK_BATCH).map((p) => {
        const cur = existing.get(p.code);
        const workDir = join(deps.workDir, "in_progress", msg.group, p.code);
        const extra = { ...(driver === "shepherd" ? { driver } : {}), ...(body.ignoreTemplate ? { ignoreTemplate: body.ignoreTemplate } : {}) };
        const d = onRegistered({ ...newProject(msg.group, p.code, p.files, p.config, workDir, now), ...extra }, ctx());
        return { before: [], doc: cur ? { ...registeredAnew(d, cur), _rev: cur._rev } : d };
      });
      created += await writeMany(batch, (d) => settleConflict(d, replace || sync));
      if (plan.write.length > BULK_BATCH) log.info({ group: msg.group }, `registering group ${msg.group}: ${Math.min(i + BULK_BATCH, plan.write.length)}/${plan.write.length} projects`);
    }
    let removed = 0;
    if (replace) {
      for (const p of plan.unlisted) {
        projects.forget(p._id);
        await removeDoc(store, p._id);
        await removeHistory(store, p.group, p.code);
        removed++;
      }
    } else if (sync) {
      removed = await changeMany(plan.unlisted, (p) => retire(p, body.groupFile, msg.type, ctx()));
    }
    await dropLaunch(store, chunks);
    const total = doc?.projects.length ?? codes.length;
    const summary = replace && previous
      ? `group ${msg.group} started over (was ${previous.state}): ${count(created, "project")} registered anew${removed ? `, ${removed} no longer listed removed` : ""}`
      : sync && previous
        ? `group ${msg.group} follows ${body.groupFile}: ${count(created, "project")} new or changed${removed ? `, ${removed} no longer listed retired` : ""}, ${plan.kept.length} unchanged`
        : `group ${msg.group} registered: ${count(created, "new project")}${codes.length - created ? `, ${codes.length - created} already known` : ""} (${count(total, "project")} in the group)`;
    log.info({ group: msg.group }, summary);
    await answer(msg, created > 0 || removed > 0 ? "done" : "unchanged", summary, doc?.state);
    askReview(msg.group, msg.type);
  }

  /**
   * The next batch of a completion: up to COMPLETION_BATCH of the pending projects, among those
   * still Completing (read from the state view a page at a time, not the whole group), and the
   * codes left after it. A pending project no longer Completing (retried meanwhile) is dropped.
   */
  async function nextBatch(group: string, pending: string[]): Promise<{ batch: GroupMember[]; rest: string[] }> {
    const wanted = new Set(pending);
    const batch: GroupMember[] = [];
    for (let skip = 0; batch.length < COMPLETION_BATCH; skip += COMPLETION_BATCH) {
      const page = await projectsInState(store, group, "Completing", { skip, limit: COMPLETION_BATCH });
      for (const p of page) if (wanted.has(p.code) && batch.length < COMPLETION_BATCH) batch.push(groupMember(p));
      if (page.length < COMPLETION_BATCH) break;
    }
    const taken = new Set(batch.map((p) => p.code));
    return { batch, rest: batch.length === 0 ? [] : pending.filter((c) => !taken.has(c)) };
  }

  async function completionDone(msg: Message<"group.complete.succeeded">): Promise<void> {
    const g0 = await groups.fresh(groupId(msg.group));
    if (!g0 || g0.state !== "Completing" || g0.completion?.requestId !== msg.correlationId) return;
    // Projects first (one bulk write): a group reads Completed only once every project does.
    // The batch's projects are read by id (one request), not found among the whole group's.
    const items = new Map(msg.body.items.map((i) => [i.code, i]));
    await changeMany(await readProjects(store, msg.group, [...items.keys()]), (p) => {
      const item = items.get(p.code);
      return item ? onProjectCompleted(p, item, msg, ctx()) : undefined;
    });
    const published = (g0.completion.published ?? 0) + msg.body.items.length;
    const { batch, rest } = await nextBatch(msg.group, g0.completion.pending ?? []);
    if (batch.length > 0) {
      // A large group: the next batch is requested; the group stays Completing.
      const next = await changeGroup(msg.group, (cur) => {
        if (cur.state !== "Completing" || cur.completion?.requestId !== msg.correlationId) return undefined;
        const request = completionRequest(cur.name, cur.completion.attempts, msg.body.completeDir, batch, ctx());
        const { pending: _done, ...completion } = cur.completion;
        return { ...publishedOnce(cur), completion: { ...completion, requestId: request.id, published, ...(rest.length > 0 ? { pending: rest } : {}) }, outbox: [...cur.outbox, request] };
      });
      if (next) {
        log.info({ group: msg.group }, `group ${msg.group}: ${published} products published, ${batch.length + rest.length} to go`);
        await flushGroup(next.doc, next.added);
      }
      return;
    }
    const g = await changeGroup(msg.group, (cur) =>
      cur.state === "Completing" && cur.completion?.requestId === msg.correlationId
        ? { ...moveGroup(publishedOnce(cur), "Completed", msg.type, [`${published} products published in ${join(msg.body.completeDir, msg.group)}`], ctx()), completedAt: new Date().toISOString(), completeDir: msg.body.completeDir }
        : undefined,
    );
    if (g) await flushGroup(g.doc, g.added);
    // A project validated while the group was being published (retried after it completed) is published next.
    askReview(msg.group, msg.type);
  }

  async function completionFailed(msg: Message<"group.complete.failed">): Promise<void> {
    const err = msg.body.error;
    const g0 = await groups.fresh(groupId(msg.group));
    if (!g0 || g0.state !== "Completing" || g0.completion?.requestId !== msg.correlationId) return;
    const retry = !err.permanent && (g0.completion?.attempts ?? 1) < deps.settings.maxAttempts;
    const members = new Set(g0.projects);
    for await (const page of projectPages(store, msg.group)) await changeMany(page.filter((p) => members.has(p.code)), (p) => onProjectCompletionFailed(p, err, msg, ctx()));
    const g = await changeGroup(msg.group, (cur) =>
      cur.state === "Completing" ? { ...moveGroup(cur, "Incomplete", msg.type, [`completion failed: ${err.kind}: ${err.message}`], ctx()), completion: { ...cur.completion, requestId: cur.completion?.requestId ?? "", attempts: cur.completion?.attempts ?? 1, error: err } } : undefined,
    );
    if (g) await flushGroup(g.doc, g.added);
    if (retry) await reviewGroup(msg.group, msg.type, true);
  }

  /** The rule each operator request applies to its project. */
  function operatorRule(msg: Message<ProjectRequest>): (p: ProjectDoc) => ProjectDoc | undefined {
    const c = ctx();
    switch (msg.type) {
      case "project.accept.request":
        return (p) => onAccept(p, msg as Message<"project.accept.request">, c);
      case "project.faultlist.request":
        return (p) => onFaultlist(p, msg as Message<"project.faultlist.request">, c);
      case "project.unfaultlist.request":
        return (p) => onUnfaultlist(p, msg as Message<"project.unfaultlist.request">, c);
      case "project.advance.request":
        return (p) => onAdvance(p, msg as Message<"project.advance.request">, c);
      case "project.reject.request":
        return (p) => onReject(p, msg as Message<"project.reject.request">, c);
      case "project.quarantine.request":
        return (p) => onQuarantine(p, msg as Message<"project.quarantine.request">, c);
      case "project.release.request":
        return (p) => onRelease(p, msg as Message<"project.release.request">, c);
      case "project.retry.request":
        return (p) => (p.state === "CompletionFailed" ? undefined : onRetry(p, msg as Message<"project.retry.request">, c));
      case "project.transfer.request":
        throw new Error("internal: a transfer is not a change of one project");
    }
  }

  /**
   * Moves a project into another group: the copy is written first, then both groups' lists, then
   * the original is deleted; a redelivery after any step finishes the rest.
   */
  async function transfer(msg: Message<"project.transfer.request">, code: string): Promise<void> {
    const to = msg.body.to;
    const target = await readGroup(store, groupId(to));
    if (!target) return answer(msg, "refused", `no group ${to}: launch it first (drover launch <file> --group ${to})`);
    if (to === msg.group) return answer(msg, "unchanged", `${code} is already in group ${to}`);
    if (target.state === "Completing" || target.state === "Completed") return answer(msg, "refused", `group ${to} is ${target.state}: a project moved into it would never be published`);
    const src = await readProject(store, projectId(msg.group, code));
    const there = await readProject(store, projectId(to, code));
    if (src?.driver === "shepherd" || target.driver === "shepherd") {
      return answer(msg, "refused", "groups the shepherd drives follow their group files: move the project's line from one file to the other instead", src?.state);
    }
    const ours = there?.history.some((h) => h.messageId === msg.id) === true;
    if (src && there && !ours) return answer(msg, "refused", `group ${to} already has a project ${code}`);
    if (!src && !there) return answer(msg, "refused", `no project ${code} in group ${msg.group}`);
    if (src && !there) {
      // Its history moved out of its document goes along (copied first: a redelivery copies again, merged).
      await copyHistory(store, msg.group, to, code);
      const copy = transferred(src, to, target.driver, msg.body.by, msg, ctx());
      await projects.change(copy._id, (cur) => (cur ? undefined : copy));
    }
    await changeGroup(to, (g) => (g.projects.includes(code) ? undefined : { ...g, projects: [...g.projects, code], updatedAt: new Date().toISOString() }));
    await changeGroup(msg.group, (g) => (g.projects.includes(code) ? { ...g, projects: g.projects.filter((c) => c !== code), updatedAt: new Date().toISOString() } : undefined));
    if (src) {
      projects.forget(src._id);
      await removeDoc(store, src._id);
      await removeHistory(store, msg.group, code);
    }
    log.info({ group: msg.group, project: code }, `transferred ${code} from group ${msg.group} to ${to}`);
    askReview(to, msg.type);
    const after = await readProject(store, projectId(to, code));
    await answer(msg, "done", `transferred from group ${msg.group} to ${to}`, after?.state);
  }

  async function operator(msg: Message<ProjectRequest>): Promise<void> {
    const project = msg.project;
    if (!project) {
      log.warn({ group: msg.group }, `${msg.type} without a project; ignored`);
      await answer(msg, "refused", `${msg.type} names no project`);
      return;
    }
    try {
      if (msg.type === "project.transfer.request") return await transfer(msg as Message<"project.transfer.request">, project);
      const rule = operatorRule(msg);
      const doc = await changeProject(msg.group, project, (p) => (stillExpected(p, msg) ? rule(p) : undefined));
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

  const isProjectRequest = (m: Message): m is Message<ProjectRequest> => (projectRequests as readonly string[]).includes(m.type);
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
        // A start only marks the phase running: often handled after its result (another queue),
        // when it changes nothing, which is not worth a read to confirm.
        await changeProject(msg.group, project, (p) => onStarted(p, phaseOf(msg.type), msg as Message<"project.scan.started">), { confirmNoop: false });
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
      default:
        if (isProjectRequest(msg)) {
          await operator(msg);
          break;
        }
        log.warn({ type: msg.type }, "the state-tracker does not handle this selector");
        return;
    }
    askReview(msg.group, msg.type);
  }

  /** Sends what a document's outbox still holds; a document that no longer parses is logged and skipped (it must not stop a start). */
  async function resend(olderThanMs: number, now: number): Promise<number> {
    let n = 0;
    for (const id of await store.pendingOutbox()) {
      try {
        if (id.startsWith("group:")) {
          const g = await groups.fresh(id);
          if (!g || !g.outbox.some((m) => now - Date.parse(m.sentAt) >= olderThanMs)) continue;
          await queueCompletion(g);
          await flushGroup(g, g.outbox);
          n += g.outbox.length;
        } else if (id.startsWith("project:")) {
          const p = await projects.fresh(id);
          if (!p || !p.outbox.some((m) => now - Date.parse(m.sentAt) >= olderThanMs)) continue;
          await flushProject(p, p.outbox);
          n += p.outbox.length;
        }
      } catch (e) {
        log.error({ doc: id, err: (e as Error).message }, `skipped document ${id}: ${(e as Error).message}`);
      }
    }
    return n;
  }

  /** Active and incomplete groups; a group document that no longer parses is logged and left out. */
  async function liveGroups(): Promise<string[]> {
    const names: string[] = [];
    for (const raw of await store.list("group:")) {
      const parsed = GroupDocSchema.safeParse(raw);
      const id = (raw as { _id?: string })._id ?? "?";
      if (!parsed.success) log.error({ doc: id }, `skipped group document ${id}: it does not match its schema (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`);
      else if (parsed.data.state === "Active" || parsed.data.state === "Incomplete") names.push(parsed.data.name);
    }
    return names;
  }

  async function recover(): Promise<number> {
    const n = await resend(0, Date.now());
    // Groups whose projects all finished while no tracker was running.
    for (const name of await liveGroups()) {
      try {
        await reviewGroup(name, "recovery");
      } catch (e) {
        log.error({ group: name, err: (e as Error).message }, `could not review group ${name} at start: ${(e as Error).message}`);
      }
    }
    await projects.flush();
    return n;
  }

  /** A started task's limit: its project's time budget (or the workers' default), a quarter more, and two minutes. */
  const lostLimit = (budgetSeconds: number | null | undefined) => Math.ceil((budgetSeconds ?? deps.taskTimeoutSeconds ?? 3600) * 1.25 + (deps.lostMarginSeconds ?? 120));

  async function expire(now = Date.now()): Promise<{ resent: number; expired: number }> {
    const resent = await resend(60_000, now);
    let expired = 0;
    const c = () => ({ ...ctx(), now: new Date(now).toISOString() });
    for (const group of await liveGroups()) {
      for (const state of ["Scanning", "Computing", "Validating"] as const) {
        // Tasks' starts from the state view, without the documents: a large group waiting in its
        // queues costs one small read, and only a task past its limit is read and changed.
        for (let skip = 0; ; skip += EXPIRE_PAGE) {
          const page = await store.taskStarts(group, state, { skip, limit: EXPIRE_PAGE });
          for (const t of page) {
            if (t.startedAt === null || (now - Date.parse(t.startedAt)) / 1000 <= lostLimit(t.budgetSeconds)) continue;
            const code = t.id.slice(projectId(group, "").length);
            try {
              if (await changeProject(group, code, (p) => expireLost(p, lostLimit(p.config.budget?.seconds), c()))) expired++;
            } catch (e) {
              log.error({ group, project: code, err: (e as Error).message }, `could not check ${group}/${code} for a lost task`);
            }
          }
          if (page.length < EXPIRE_PAGE) break;
        }
      }
      if (expired > 0) askReview(group, "lease.expired");
    }
    return { resent, expired };
  }

  async function parked(m: ParkedMessage): Promise<void> {
    let doc = deadLetterDoc(m, new Date().toISOString());
    try {
      await store.put(doc);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // Kept already: a redelivery of the same message, or another message under the same id (a
      // forged or reused one), which is kept beside it rather than dropped.
      const kept = DeadLetterDocSchema.safeParse(await store.get(doc._id));
      if (kept.success && kept.data.content !== doc.content) {
        doc = { ...doc, _id: `${doc._id}~${createHash("sha256").update(doc.content).digest("hex").slice(0, 12)}` };
        await store.put(doc).catch((e2: unknown) => {
          if (!(e2 instanceof ConflictError)) throw e2;
        });
      }
    }
    log.warn({ group: doc.group, project: doc.project, selector: doc.selector }, `a parked message was kept as ${doc._id}: ${doc.reason} ('drover deadletters list')`);
    const phase = /^project\.(scan|compute|validate)\.request$/.exec(doc.selector)?.[1] as "scan" | "compute" | "validate" | undefined;
    if (!phase || !doc.group || !doc.project) return;
    const requestId = doc._id.slice("deadletter:".length);
    const { group, project, reason } = doc;
    if (await changeProject(group, project, (p) => onParked(p, phase, requestId, reason, ctx()))) askReview(group, "deadletter");
  }

  async function sweep(): Promise<void> {
    for (const name of await liveGroups()) askReview(name, "review");
  }

  async function idle(): Promise<void> {
    await reviews.idle();
    await projects.flush();
  }

  return { recover, handle, idle, sweep, expire, parked };
}
