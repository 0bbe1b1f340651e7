import { mkdirSync, watch } from "node:fs";
import { boot, loadConfig, openCouchStore, redactUrl, stopOnSignals, type Bus, type DocStore, type Logger } from "@drover/shared";
import { loadShepherdConfig, type ShepherdConfig } from "./config.js";
import { holdLease, releaseLease } from "./lease.js";
import { flockStatus } from "./status.js";
import { createShepherd, describeTask, type SweepReport } from "./sweep.js";

// The shepherd's modes, as PADOCC's SHEPARD has them: run (the service: sweeps on a timer, on
// changes in the flock directory and on state changes), once (one sweep, for cron), status (one
// line per group) and --dry-run (the task list of a sweep, changing nothing).

export const modes = ["run", "once", "status"] as const;
export type Mode = (typeof modes)[number];

export interface ModeOptions {
  configFile: string;
  dryRun: boolean;
}

/** The config file: --config, else DROVER_SHEPHERD_CONFIG, else shepherd.yaml under DROVER_HOME. */
export function configPath(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return given ?? env["DROVER_SHEPHERD_CONFIG"] ?? `${env["DROVER_HOME"] ?? "var"}/shepherd.yaml`;
}

function printReport(r: SweepReport, dryRun: boolean): void {
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  if (!r.leader) return out("another shepherd holds the lease and is sweeping; nothing done (see 'drover shepherd status')");
  for (const g of r.registered) out(dryRun ? g : `took in group ${g}`);
  for (const f of r.faults) out(`problem: ${f}`);
  const p = r.plan;
  if (!p) return;
  for (const t of p.tasks) out(`${dryRun ? "would " : ""}${describeTask(t)}`);
  out(`${p.inFlight} in flight, ${p.admitted} ${dryRun ? "to admit" : "admitted"}, ${p.waiting} waiting for room under the batch limit${r.moved.length ? `, ${r.moved.length} completed group file(s) moved` : ""}`);
}

async function openStore(log: Logger): Promise<DocStore> {
  const env = loadConfig();
  const store = await openCouchStore(env.couchUrl, env.couchDb);
  log.info({ couchdb: redactUrl(env.couchUrl), db: env.couchDb }, "database ready");
  return store;
}

/** One sweep (or its plan with dryRun), then stop. */
async function once(config: ShepherdConfig, options: ModeOptions): Promise<number> {
  const { config: env, log, bus } = await boot("shepherd", 1);
  try {
    const store = await openStore(log);
    const shepherd = createShepherd({ bus, store, log, config, dataRoots: env.dataRoots });
    let report = await shepherd.sweep({ dryRun: options.dryRun });
    // A file is taken in once it reads the same settle_seconds apart: look again within this run.
    for (let i = 0; i < 5 && report.unsettled > 0; i++) {
      await new Promise((r) => setTimeout(r, config.settle_seconds * 1000 + 100));
      report = await shepherd.sweep({ dryRun: options.dryRun });
    }
    printReport(report, options.dryRun);
    return 0;
  } finally {
    await bus.close();
  }
}

/** The service: sweeps until stopped. */
async function run(config: ShepherdConfig): Promise<never> {
  const { config: env, log, bus } = await boot("shepherd", 1);
  const store = await openStore(log);
  const shepherd = createShepherd({ bus, store, log, config, dataRoots: env.dataRoots });
  const wake = sweeper(shepherd.sweep, log, config);
  keepLease(store, bus.sender, config, log, () => wake(0));
  await watchState(bus, () => wake(300));
  mkdirSync(config.flock_dir, { recursive: true });
  try {
    watch(config.flock_dir, { recursive: true }, () => wake(500)).on("error", (e) => log.warn({ err: e.message }, "stopped watching the flock directory; sweeps continue on the timer"));
  } catch (e) {
    log.warn({ err: (e as Error).message }, `cannot watch ${config.flock_dir} for changes; sweeps run on the timer only`);
  }
  log.info(`shepherd ready: flock ${config.flock_dir}, complete dir ${config.complete_dir}, batch limit ${config.batch_limit}, a sweep every ${config.sweep_interval} s and on every change`);
  wake(0);
  stopOnSignals("shepherd", log, async () => {
    await bus.stop(env.stopGraceMs);
    await releaseLease(store, bus.sender).catch(() => undefined);
    await bus.close(0);
    await store.close?.();
  });
  return new Promise<never>(() => {});
}

async function watchState(bus: Bus, onChange: () => void): Promise<void> {
  await bus.watch("project.state.changed", onChange);
  await bus.watch("group.state.changed", onChange);
}

/**
 * Renews the lease a third of its length apart, apart from sweeping (a sweep may be an hour away);
 * a copy standing by tries to take it, and sweeps at once when it does.
 */
function keepLease(store: DocStore, me: string, config: ShepherdConfig, log: Logger, tookOver: () => void): void {
  let held = false;
  const tick = async () => {
    try {
      const now = await holdLease(store, me, config.lease_seconds);
      if (now && !held) {
        log.info("holding the flock's lease: this copy sweeps");
        tookOver();
      }
      if (!now && held) log.warn("another shepherd holds the flock's lease now: standing by");
      held = now;
    } catch (e) {
      log.warn({ err: (e as Error).message }, "could not renew the flock's lease");
    }
  };
  setInterval(() => void tick(), (config.lease_seconds * 1000) / 3).unref();
  void tick();
}

/**
 * Runs sweeps one at a time: every sweep_interval, and sooner when woken (a file or a state
 * changed, a retry is due). A wake-up never puts off a sweep already due sooner, and waits at
 * least twice as long as the last sweep took, so that on a large, busy flock sweeping takes at
 * most a third of the time.
 */
function sweeper(sweep: () => Promise<SweepReport>, log: Logger, config: ShepherdConfig): (delayMs: number) => void {
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  const schedule = (ms: number) => {
    const at = Date.now() + ms;
    if (timer && at >= dueAt) return;
    clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(() => void tick(), ms);
  };
  async function tick(): Promise<void> {
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
    running = true;
    again = false;
    const t0 = Date.now();
    let next = config.sweep_interval * 1000;
    try {
      const r = await sweep();
      if (!r.leader) log.debug("another shepherd holds the lease; standing by");
      if (r.unsettled > 0) next = Math.min(next, config.settle_seconds * 1000 + 100);
      const due = r.plan?.nextRetryAt;
      if (due !== undefined) next = Math.min(next, Math.max(100, due - Date.now()));
    } catch (e) {
      log.error({ err: (e as Error).message }, "sweep failed; trying again shortly");
      next = Math.min(next, 5000);
    } finally {
      running = false;
      lastMs = Date.now() - t0;
    }
    schedule(again ? Math.max(300, 2 * lastMs) : next);
  }
  return (delayMs) => {
    if (running) again = true;
    else schedule(Math.max(delayMs, 2 * lastMs));
  };
}

export async function runMode(mode: Mode, options: ModeOptions): Promise<number> {
  const config = loadShepherdConfig(options.configFile);
  if (mode === "status") {
    const env = loadConfig();
    const store = await openCouchStore(env.couchUrl, env.couchDb);
    process.stdout.write(`${(await flockStatus(store, config)).join("\n")}\n`);
    return 0;
  }
  if (mode === "once" || options.dryRun) return once(config, options);
  return run(config);
}
