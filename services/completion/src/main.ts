import { join } from "node:path";
import {
  boot,
  capError,
  checkCompletionPaths,
  DroverError,
  groupId,
  isDroverError,
  openCouchStore,
  readGroup,
  redactUrl,
  runTask,
  stopOnSignals,
  SUPERSEDED_DIR,
  toErrorDetail,
  type DocStore,
  type Message,
} from "@drover/shared";

// completion: when the state-tracker says a group is ready, publish every product and report
// into the complete directory (atomically) and report back. A request is checked first against
// the group's document: the completion the state-tracker asked for (its id), into the directory
// the group records (else DROVER_COMPLETE_DIR), from products in DROVER_WORK_DIR. A forged one
// is refused (parked with the reason) and copies nothing.
const { config, log, bus } = await boot("completion", 1);
let store: DocStore;
try {
  store = await openCouchStore(config.couchUrl, config.couchDb);
} catch (e) {
  log.error(`cannot open the database at ${redactUrl(config.couchUrl)}: ${(e as Error).message}`);
  await bus.close(0);
  process.exit(1);
}

async function checkRequest(msg: Message<"group.complete.request">): Promise<void> {
  const g = await readGroup(store, groupId(msg.group));
  if (!g) throw new DroverError("MessageError", `group.complete.request for group ${msg.group}, which is not registered: refused`);
  if (g.completion?.requestId !== msg.id) {
    throw new DroverError("MessageError", `group.complete.request ${msg.id} for group ${msg.group} is not the completion the state-tracker asked for (${g.completion?.requestId ?? "none"}): refused`);
  }
  checkCompletionPaths(msg.group, msg.body, { workDir: config.workDir, completeDir: g.completeDir ?? config.completeDir });
}

// Before consuming: a signal that comes with the first message still stops it cleanly.
stopOnSignals(
  "completion",
  log,
  async () => {
    await bus.close(config.stopGraceMs);
    await store.close?.();
  },
  config.stopGraceMs + 20_000,
);

await bus.consume("group.complete.request", async (msg: Message<"group.complete.request">) => {
  const fields = { group: msg.group, attempt: msg.attempt, correlationId: msg.id };
  const glog = log.child({ group: msg.group, attempt: msg.attempt });
  // Before anything is copied: a refusal is permanent (parked with the reason), a database away transient.
  await checkRequest(msg);
  glog.info(`completing group ${msg.group}: ${msg.body.projects.length} projects into ${msg.body.completeDir}`);
  if (msg.body.startOver) glog.info(`group ${msg.group} was started over: what it published before is moved under ${join(msg.body.completeDir, msg.group, SUPERSEDED_DIR)}/ (remove it when no longer wanted)`);
  await bus.send("group.complete.started", fields, { worker: bus.sender });
  try {
    const out = await runTask("complete", { group: msg.group, request: msg.body, remote: config.remote, workDir: config.workDir });
    for (const item of out.items) glog.info(`published ${item.code} → ${item.product}${item.remote ? ` (remote copy ${item.remote})` : ""}`);
    await bus.send("group.complete.succeeded", fields, out);
  } catch (e) {
    const detail = capError(toErrorDetail(e));
    glog.error({ kind: detail.kind }, `completion failed: ${detail.message}`);
    await bus.send("group.complete.failed", fields, { error: detail, issues: [], reports: isDroverError(e) ? e.reports : {} });
  }
});
log.info("listening on group.complete.request");
