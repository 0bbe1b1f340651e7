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
});
const recovered = await tracker.recover();
if (recovered > 0) log.info(`re-sent ${recovered} message${recovered === 1 ? "" : "s"} decided before the last stop`);
for (const selector of consumes["state-tracker"]) {
  await bus.consume(selector, (msg) => tracker.handle(msg as Message));
}
log.info(`state-tracker ready: ${consumes["state-tracker"].length} selectors, work dir ${config.workDir}`);
stopOnSignals("state-tracker", log, () => bus.close());
