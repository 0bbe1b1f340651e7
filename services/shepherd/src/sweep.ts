import { existsSync, mkdirSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  askTracker,
  count,
  groupId,
  isDroverError,
  isFailed,
  listGroups,
  projectPages,
  readGroup,
  readGroupFile,
  storeLaunch,
  type Bus,
  type DocStore,
  type GroupDoc,
  type Logger,
  type ProjectDoc,
  withFullHistory,
} from "@drover/shared";
import type { ShepherdConfig } from "./config.js";
import { readFaults, recordFault, clearFault } from "./faults.js";
import { COMPLETED, listFlock, settled, type FlockEntry } from "./flock.js";
import { holdLease } from "./lease.js";
import { baseBudget, planSweep, type GroupView, type Plan, type Task } from "./plan.js";

// One sweep of the flock: (1) read the flock directory and register new or changed group files;
// (2) read every shepherd group's projects and plan (admission up to the batch limit, retries,
// quarantine); (3) send the plan's requests to the state-tracker; (4) move the files of completed
// groups into completed/. Every decision is made again from the database each sweep, so a
// stopped or second shepherd changes no outcome.

export interface ShepherdDeps {
  bus: Pick<Bus, "sender" | "publish" | "watch">;
  store: DocStore;
  log: Logger;
  config: ShepherdConfig;
  dataRoots: readonly string[];
  /** Seconds to wait for the state-tracker's answer to each request. */
  answerSeconds?: number;
  now?: () => number;
  random?: () => number;
}

export interface SweepReport {
  leader: boolean;
  registered: string[];
  faults: string[];
  plan: Plan | undefined;
  sent: number;
  refused: number;
  moved: string[];
  /** Group files seen changing: looked at again once they may have settled. */
  unsettled: number;
}

export interface SweepOptions {
  /** Print the plan, change nothing. */
  dryRun?: boolean;
}

export function describeTask(t: Task): string {
  const at = `${t.group}/${t.project}`;
  switch (t.kind) {
    case "advance":
      return `advance ${at} (from ${t.from})`;
    case "retry":
      return `retry ${at}: ${t.phase} again (retry ${t.retry}, budget ${t.budget.seconds} s${t.budget.memoryMb ? `, ${t.budget.memoryMb} MB` : ""}) after ${t.reason}`;
    case "quarantine":
      return `quarantine ${at}: ${t.reason}`;
    case "accept":
      return `accept ${at} (accept_warnings)`;
    case "requeue":
      return `requeue ${at}: in progress longer than ${t.lostAfterSeconds} s`;
  }
}

export function createShepherd(deps: ShepherdDeps) {
  const { store, log, config } = deps;
  const now = deps.now ?? Date.now;
  const answerSeconds = deps.answerSeconds ?? 120;
  const seen = new Map<string, { hash: string; since: number }>();
  const by = `shepherd ${deps.bus.sender}`;

  /** Registers a new group file, or brings a changed one's group in line with it. */
  async function register(entry: FlockEntry, cur: GroupDoc | undefined): Promise<string> {
    const spec = readGroupFile(entry.file, deps.dataRoots, { name: entry.group });
    const stored = await storeLaunch(store, spec.name, spec.projects.map((p) => ({ code: p.code, files: p.files, config: p.config })));
    const answer = await askTracker(
      deps.bus as Bus,
      "group.register.request",
      { group: spec.name },
      {
        groupFile: entry.file,
        sync: cur !== undefined,
        driver: "shepherd",
        completeDir: config.complete_dir,
        fileHash: entry.hash,
        ...(config.common_valid ? { ignoreTemplate: config.common_valid } : {}),
        ...stored,
      },
      Math.max(answerSeconds, Math.ceil(spec.projects.length / 20)),
    );
    if (answer.outcome === "refused") throw new Error(answer.message);
    return answer.message;
  }

  /** Why a group file cannot be taken in as it is, or undefined when it can. */
  function refusal(entry: FlockEntry, cur: GroupDoc | undefined): string | undefined {
    if (entry.problem) return entry.problem;
    if (!cur) return undefined;
    if (cur.driver !== "shepherd") return `group ${entry.group} already exists, launched by hand from ${cur.groupFile}; rename ${entry.file} to take it into the flock under another name`;
    if (cur.state === "Completed" || cur.state === "Completing") return `group ${entry.group} is ${cur.state}; ${entry.file} changed after it completed: drop the file under a new name to run it again`;
    return undefined;
  }

  async function takeIn(entries: FlockEntry[], dryRun: boolean, report: SweepReport): Promise<void> {
    const faults = await readFaults(store);
    const files = new Set(entries.map((e) => e.file));
    if (!dryRun) for (const file of faults.keys()) if (!files.has(file)) await clearFault(store, file);
    for (const entry of entries) {
      if (entry.ignored) continue;
      const cur = await readGroup(store, groupId(entry.group));
      if (cur && cur.fileHash === entry.hash && !entry.problem) {
        if (!dryRun && faults.has(entry.file)) await clearFault(store, entry.file);
        continue;
      }
      const why = refusal(entry, cur);
      const key = entry.hash ?? entry.problem ?? "";
      if (why) {
        if (faults.get(entry.file)?.key !== key) {
          log.error({ group: entry.group, file: entry.file }, why);
          if (!dryRun) await recordFault(store, entry.file, key, why);
        }
        report.faults.push(why);
        continue;
      }
      if (!settled(entry, seen, now(), config.settle_seconds * 1000)) {
        report.unsettled++;
        continue;
      }
      if (dryRun) {
        report.registered.push(`${cur ? "would update" : "would register"} group ${entry.group} from ${entry.file}`);
        continue;
      }
      try {
        const message = await register(entry, cur);
        log.info({ group: entry.group }, `${cur ? "updated" : "registered"} group ${entry.group} from ${entry.file}: ${message}`);
        report.registered.push(entry.group);
        if (faults.has(entry.file)) await clearFault(store, entry.file);
      } catch (e) {
        // A broken group file is reported once (with its line) and tried again when it changes.
        const why = `cannot take in ${entry.file}: ${isDroverError(e) ? `${e.kind}: ` : ""}${(e as Error).message}`;
        if (faults.get(entry.file)?.key !== key) {
          log.error({ group: entry.group, file: entry.file }, why);
          await recordFault(store, entry.file, key, why);
        }
        report.faults.push(why);
      }
    }
  }

  async function gather(entries: FlockEntry[]): Promise<GroupView[]> {
    const ignored = new Set(entries.filter((e) => e.ignored).map((e) => e.group));
    const views: GroupView[] = [];
    for (const group of await listGroups(store)) {
      if (group.driver !== "shepherd" || group.state === "Completed") continue;
      // What the planner needs: a failed project's history (its retries), and of the rest only their state and phases.
      const projects: ProjectDoc[] = [];
      for await (const page of projectPages(store, group.name)) {
        for (const p of page) {
          // A failed project's retries since its registration may be in history moved out of its document.
          projects.push(isFailed(p.state) ? { ...(await withFullHistory(store, p)), outbox: [] } : ({ ...p, history: p.history.slice(-1), outbox: [], scan: undefined, validation: undefined } as ProjectDoc));
        }
      }
      views.push({ group, projects, ignored: ignored.has(group.name) });
    }
    return views;
  }

  async function send(t: Task): Promise<boolean> {
    const fields = { group: t.group, project: t.project };
    const bus = deps.bus as Bus;
    // Each request names the state it was planned on: if the project moved since (an operator
    // quarantined it, a redelivery), the tracker changes nothing.
    const expect = [t.from];
    switch (t.kind) {
      case "advance":
        return done(t, await askTracker(bus, "project.advance.request", fields, { by, budget: baseBudget(config), expect }, answerSeconds));
      case "retry":
        return done(t, await askTracker(bus, "project.retry.request", fields, { by, phase: t.phase, overrides: { budget: t.budget }, expect }, answerSeconds));
      case "quarantine":
        return done(t, await askTracker(bus, "project.quarantine.request", fields, { by, reason: t.reason, expect }, answerSeconds));
      case "accept":
        return done(t, await askTracker(bus, "project.accept.request", fields, { by, note: "accept_warnings is on in the shepherd's config", expect }, answerSeconds));
      case "requeue":
        return done(t, await askTracker(bus, "project.retry.request", fields, { by, lostAfterSeconds: t.lostAfterSeconds, expect }, answerSeconds));
    }
  }

  function done(t: Task, a: { outcome: string; message: string }): boolean {
    if (a.outcome === "refused") log.warn({ group: t.group, project: t.project }, `${describeTask(t)}: refused: ${a.message}`);
    else log.info({ group: t.group, project: t.project }, `${describeTask(t)}: ${a.message}`);
    return a.outcome !== "refused";
  }

  /** A completed group's file (or directory) moves to completed/, under a new name if one is there already. */
  function moveCompleted(entries: FlockEntry[], groups: GroupDoc[], report: SweepReport): void {
    // Only the file the group completed from: a new file dropped under a completed group's name is reported, not moved.
    const completed = new Map(groups.filter((g) => g.driver === "shepherd" && g.state === "Completed").map((g) => [g.name, g.fileHash]));
    for (const e of entries) {
      if (e.ignored || !completed.has(e.group) || completed.get(e.group) !== e.hash) continue;
      const isDir = basename(dirname(e.file)) === e.group && dirname(dirname(e.file)) === config.flock_dir;
      const from = isDir ? dirname(e.file) : e.file;
      const target = join(config.flock_dir, COMPLETED);
      mkdirSync(target, { recursive: true });
      let to = join(target, basename(from));
      if (existsSync(to)) to = join(target, `${basename(from)}.${new Date(now()).toISOString().replace(/[:.]/g, "-")}`);
      renameSync(from, to);
      log.info({ group: e.group }, `group ${e.group} is complete: ${from} moved to ${to}`);
      report.moved.push(e.group);
    }
  }

  async function sweep(options: SweepOptions = {}): Promise<SweepReport> {
    const report: SweepReport = { leader: true, registered: [], faults: [], plan: undefined, sent: 0, refused: 0, moved: [], unsettled: 0 };
    const dryRun = options.dryRun === true;
    if (!dryRun && !(await holdLease(store, deps.bus.sender, config.lease_seconds, now()))) {
      report.leader = false;
      return report;
    }
    mkdirSync(config.flock_dir, { recursive: true });
    const entries = listFlock(config.flock_dir);
    await takeIn(entries, dryRun, report);
    const views = await gather(entries);
    const plan = planSweep(config, views, now(), deps.random);
    report.plan = plan;
    if (!dryRun) {
      if (plan.tasks.length > 0 && !(await holdLease(store, deps.bus.sender, config.lease_seconds, now()))) {
        report.leader = false;
        return report;
      }
      for (const [i, t] of plan.tasks.entries()) {
        // A long list outlasts a lease: renew it as we go, and stop if another copy took over.
        if (i > 0 && i % 20 === 0 && !(await holdLease(store, deps.bus.sender, config.lease_seconds, now()))) {
          report.leader = false;
          return report;
        }
        try {
          if (await send(t)) report.sent++;
          else report.refused++;
        } catch (e) {
          // No answer in time: the request stays queued and may yet be handled. Stop here, so that
          // the next sweep, seeing the projects it admitted, never admits beyond the batch limit.
          log.warn({ group: t.group, project: t.project }, `${describeTask(t)}: ${(e as Error).message}; the sweep stops here`);
          break;
        }
      }
      moveCompleted(entries, await listGroups(store), report);
    }
    if (plan.tasks.length > 0 || report.registered.length > 0 || report.moved.length > 0) {
      log.info(
        `sweep: ${count(report.registered.length, "group")} taken in, ${plan.inFlight} in flight, ${plan.admitted} admitted (batch limit ${config.batch_limit}), ` +
          `${plan.waiting} waiting, ${count(plan.tasks.length - plan.admitted, "other request")}${report.moved.length ? `, ${report.moved.length} completed group file(s) moved` : ""}`,
      );
    }
    return report;
  }

  return { sweep };
}
