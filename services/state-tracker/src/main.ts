import { boot, consumes, openCouchStore, redactUrl, stopOnSignals, type Message } from "@drover/shared";
import { createTracker } from "./tracker.js";

const { config, log, bus } = await boot("state-tracker", 8);
let store;
try {
  store = await openCouchStore(config.couchUrl, config.couchDb);
} catch (e) {
  log.error(`cannot open the database: ${(e as Error).message}`);
  await bus.close();
  process.exit(1);
}
log.info({ couchdb: redactUrl(config.couchUrl), db: config.couchDb }, "database ready");
const tracker = createTracker({
  bus,
  store,
  log,
  settings: {
    maxAttempts: config.maxAttempts,
    autoAdvance: config.autoAdvance,
    acceptWarnings: config.acceptWarnings,
    ignoreTemplate: config.validationIgnore,
  },
  workDir: config.workDir,
  completeDir: config.completeDir,
  taskTimeoutSeconds: config.taskTimeout,
  lostMarginSeconds: config.lostMarginSeconds,
});
// Stop consuming first (messages being handled finish or go back), then the reviews asked for and
// the outboxes waiting to be cleared (else re-sent by the next pass), then the connections.
const db = store;
stopOnSignals(
  "state-tracker",
  log,
  async () => {
    await bus.stop(config.stopGraceMs);
    await tracker.idle();
    await bus.close(0);
    await db.close?.();
  },
  config.stopGraceMs + 30_000,
);
const recovered = await tracker.recover();
if (recovered > 0) log.info(`re-sent ${recovered} message${recovered === 1 ? "" : "s"} decided before the last stop`);
for (const selector of consumes["state-tracker"]) {
  await bus.consume(selector, (msg) => tracker.handle(msg as Message));
}
// Nothing sits in the dead-letter queue unseen: each parked message is kept for operators, and a project waiting on it fails with the reason.
await bus.consumeDeadLetters((m) => tracker.parked(m));
// Reviews run after their message is acknowledged: a periodic sweep (every DROVER_PERIODIC_PASS s) makes up for any lost with a stopped copy.
// The same pass re-sends outboxes left for a minute and expires tasks that overran their budget.
setInterval(() => {
  void tracker.sweep().catch((e: unknown) => log.warn({ err: (e as Error).message }, "could not sweep the groups"));
  void tracker
    .expire()
    .then(({ resent, expired }) => {
      if (resent + expired > 0) log.info(`periodic pass: ${resent} message(s) re-sent from outboxes, ${expired} lost task(s) sent again or failed`);
    })
    .catch((e: unknown) => log.warn({ err: (e as Error).message }, "could not run the periodic pass (outboxes, lost tasks)"));
}, config.periodicPassMs).unref();
log.info(`state-tracker ready: ${consumes["state-tracker"].length} selectors, work dir ${config.workDir}`);
// Before closing: the reviews asked for and the outboxes waiting to be cleared (else re-sent at the next start).
