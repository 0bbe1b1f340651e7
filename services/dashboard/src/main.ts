import { join } from "node:path";
import { boot, openCouchStore, stopOnSignals } from "@drover/shared";
import { withCachedCounts } from "./counts.js";
import { eventStreams } from "./http/sse.js";
import { watchChanges } from "./live.js";
import { createDashboardServer } from "./server.js";
import { amqpQueues, managementQueues } from "./views/bus-queues.js";

// dashboard: a web page of every group and project moving through its life, kept live from the
// bus's state changes, with the operator's actions (when started with DROVER_DASHBOARD_TOKEN).
const { config, log, bus } = await boot("dashboard", 1);
const store = withCachedCounts(await openCouchStore(config.couchUrl, config.couchDb));
const events = eventStreams();
const live = await watchChanges(bus, (batch) => {
  store.forget(batch.groups);
  events.broadcast("changes", batch);
});
const queues = config.rabbitManagementUrl ? managementQueues(config.rabbitManagementUrl, config.amqpUrl, config.exchange) : amqpQueues(config.amqpUrl, config.exchange);
const server = createDashboardServer({
  store,
  bus,
  queues,
  events,
  lastActivity: live.lastActivity,
  token: config.dashboard.token,
  publicDir: join(import.meta.dirname, "public"),
  log,
});

await new Promise<void>((resolve, reject) => {
  server.once("error", (e: NodeJS.ErrnoException) =>
    reject(e.code === "EADDRINUSE" ? new Error(`port ${config.dashboard.port} on ${config.dashboard.host} is taken: set DROVER_DASHBOARD_PORT to another`) : e),
  );
  server.listen(config.dashboard.port, config.dashboard.host, resolve);
}).catch(async (e: unknown) => {
  log.error({ err: (e as Error).message }, "dashboard could not start");
  await bus.close();
  process.exit(1);
});
const address = server.address();
const port = typeof address === "object" && address ? address.port : config.dashboard.port;
const host = config.dashboard.host.includes(":") ? `[${config.dashboard.host}]` : config.dashboard.host;
log.info(
  { actions: config.dashboard.token ? "enabled (token)" : "read-only (no DROVER_DASHBOARD_TOKEN)", queues: config.rabbitManagementUrl ? "management API" : "AMQP checks" },
  `dashboard ready on http://${host}:${port}/`,
);
stopOnSignals("dashboard", log, async () => {
  live.stop();
  events.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await queues.close();
  await bus.close(0);
  await store.close?.();
});
