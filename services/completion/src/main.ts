import { boot, isDroverError, runTask, stopOnSignals, toErrorDetail, type Message } from "@drover/shared";

// completion: when the state-tracker says a group is ready, publish every product and report
// into the complete directory (atomically) and report back.
const { config, log, bus } = await boot("completion", 1);
await bus.consume("group.complete.request", async (msg: Message<"group.complete.request">) => {
  const fields = { group: msg.group, attempt: msg.attempt, correlationId: msg.id };
  const glog = log.child({ group: msg.group, attempt: msg.attempt });
  glog.info(`completing group ${msg.group}: ${msg.body.projects.length} projects into ${msg.body.completeDir}`);
  await bus.send("group.complete.started", fields, { worker: bus.sender });
  try {
    const out = await runTask("complete", { group: msg.group, request: msg.body, remote: config.remote });
    for (const item of out.items) glog.info(`published ${item.code} → ${item.product}${item.remote ? ` (remote copy ${item.remote})` : ""}`);
    await bus.send("group.complete.succeeded", fields, out);
  } catch (e) {
    const detail = toErrorDetail(e);
    glog.error({ kind: detail.kind }, `completion failed: ${detail.message}`);
    await bus.send("group.complete.failed", fields, { error: detail, issues: [], reports: isDroverError(e) ? e.reports : {} });
  }
});
log.info("listening on group.complete.request");
stopOnSignals("completion", log, () => bus.close());
