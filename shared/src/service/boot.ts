import { setFlagsFromString } from "node:v8";
import { connectBus, type Bus } from "../bus.js";
import { loadConfig, redactUrl, type Config } from "../config.js";
import { isDroverError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { redactSecrets } from "../redact.js";
import { closeTasks, configureTasks } from "../tasks/run-task.js";

// What every service does at start and stop: read its settings (a bad one stops it with a
// message naming the variable), log where it connects, stop cleanly on Ctrl-C / SIGTERM.

export interface Service {
  config: Config;
  log: Logger;
  bus: Bus;
}

/**
 * How much V8 lets the heap grow past what the last full collection kept, in percent. By default
 * it may grow to several times that: a state-tracker keeping about 35 MB alive (a heap snapshot
 * mid-run) had a peak resident size that grew with the group it drove, 317 MB for 3,000 projects
 * and 445 MB for 10,000. At 30 % the 3,000-project run peaked at 181 MB for the same CPU (22.0 s
 * against 22.9 s; `bench --pipeline 3000`).
 */
export const HEAP_GROWING_PERCENT = 30;

export async function boot(name: string, defaultPrefetch: number): Promise<Service> {
  // Read by V8 at each full collection, so it takes effect although the heap exists already.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`${name}: ${redactSecrets((e as Error).message)}\n`);
    process.exit(2);
  }
  const log = createLogger({ name, level: config.logLevel, format: config.logFormat });
  // One warm task thread per message the service holds at once: every held message can run.
  const prefetch = config.prefetch ?? defaultPrefetch;
  configureTasks({ size: config.taskThreads ?? prefetch, timeoutSeconds: config.taskTimeout });
  try {
    const bus = await connectBus({
      url: config.amqpUrl,
      exchange: config.exchange,
      service: name,
      prefetch,
      logger: log,
    });
    log.info({ broker: redactUrl(config.amqpUrl), exchange: config.exchange, prefetch, taskThreads: config.taskThreads ?? prefetch }, `${name} connected as ${bus.sender}`);
    return { config, log, bus };
  } catch (e) {
    log.error({ err: (e as Error).message }, `${name} could not start`);
    await new Promise((r) => setTimeout(r, 100));
    process.exit(isDroverError(e) && e.kind === "ConfigError" ? 2 : 1);
  }
}

/**
 * Stops the service on SIGINT/SIGTERM: `close` stops consuming, lets the messages being handled
 * finish within the grace (DROVER_STOP_GRACE), hands the rest back to their queues and closes
 * the connections; then the task threads stop and the process exits 0. Should closing hang, the
 * process exits 1 once `deadlineMs` has passed (their messages go back when the connection drops).
 * A second signal exits at once (130).
 */
export function stopOnSignals(name: string, log: Logger, close: () => Promise<void>, deadlineMs = 30_000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info(`${name} stopping (${signal}): no new messages; those being handled finish or go back to their queues`);
    setTimeout(() => {
      log.error(`${name} could not stop within ${deadlineMs} ms; exiting (unfinished messages return to their queues)`);
      process.exit(1);
    }, deadlineMs).unref();
    close()
      .then(closeTasks)
      .then(() => log.info(`${name} stopped`))
      .catch((e: unknown) => log.warn({ err: (e as Error).message }, "error while stopping"))
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("unhandledRejection", (e) => log.error({ err: (e as Error)?.stack ?? String(e) }, "unhandled rejection (kept running)"));
}
