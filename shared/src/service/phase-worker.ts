import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { capError, capIssues, capStrings, capText } from "../bounds.js";
import type { Bus } from "../bus.js";
import type { Config } from "../config.js";
import { DroverError, isDroverError, toErrorDetail } from "../errors.js";
import { sweepTemporaries } from "../fsutil.js";
import type { Logger } from "../log.js";
import type { Message, MessageFields } from "../messages.js";
import { assertUnder } from "../paths.js";
import type { Issue } from "../schemas.js";
import { runTask } from "../tasks/run-task.js";
import { openProjectLog, projectLogPath } from "./project-log.js";

// A phase worker (scanner, computer, validator): takes a request, says it started, runs the
// phase's task in a worker thread while publishing progress, reports the result, and only then
// acknowledges the request. Its lines about a task also go to the project's own log file.

type WorkerPhase = "scan" | "compute" | "validate";

function issuesFrom(reports: Record<string, string>): Issue[] {
  const inv = reports["inventory"];
  if (!inv) return [];
  try {
    return (JSON.parse(readFileSync(inv, "utf8")) as { issues?: Issue[] }).issues ?? [];
  } catch {
    return [];
  }
}

type PhaseRequest = Message<"project.scan.request" | "project.compute.request" | "project.validate.request">;

/**
 * Refuses a request whose paths are not where this drover's state-tracker puts them: the work
 * directory under DROVER_WORK_DIR and named after the project, the inventory and product inside
 * that work directory (`..` and symbolic links resolved). A forged request never makes a worker
 * write anywhere else: it is parked with the reason before anything touches the disk. Sources
 * outside the data roots are refused by the task itself, before it reads any (the project fails
 * with PathNotAllowedError naming the file, as for a group file that names one).
 */
export function checkRequestPaths(msg: PhaseRequest, config: Pick<Config, "workDir">): void {
  const project = msg.project;
  if (!project) throw new DroverError("MessageError", `${msg.type} names no project: refused`);
  const workDir = assertUnder(msg.body.workDir, config.workDir, "workDir", "DROVER_WORK_DIR");
  if (basename(workDir) !== project) {
    throw new DroverError("PathNotAllowedError", `workDir ${msg.body.workDir} is not project ${project}'s work directory (it must end in /${project}): refused`, { file: msg.body.workDir });
  }
  const body = msg.body as { inventory?: string; product?: string };
  if (body.inventory !== undefined) assertUnder(body.inventory, workDir, "inventory", "the project's workDir");
  if (body.product !== undefined) assertUnder(body.product, workDir, "product", "the project's workDir");
}

/** A task's result with its lists and texts cut to what a message may carry (a marker says how much was left out). */
export function boundedOutput(phase: WorkerPhase, out: unknown): unknown {
  const o = out as { summary?: Record<string, unknown> };
  if (!o.summary) return out;
  const s = o.summary;
  if (phase === "scan" && Array.isArray(s["issues"])) return { ...o, summary: { ...s, issues: capIssues(s["issues"] as Issue[]) } };
  if (phase === "validate") {
    const strings = (k: string) => (Array.isArray(s[k]) ? { [k]: capStrings(s[k] as string[]) } : {});
    return { ...o, summary: { ...s, ...(typeof s["status"] === "string" ? { status: capText(s["status"]) } : {}), ...strings("fatal"), ...strings("warnings"), ...strings("bypassed") } };
  }
  return out;
}

/** Temporary files older than this are what a crash left (a write in progress is younger). */
export const ORPHAN_AGE_MS = 3_600_000;

/**
 * Removes what atomic writes cut short by a crash left in the work directory: temporary names
 * (tempPathFor's) in the projects' work directories, older than an hour. At start and hourly.
 */
export function sweepWorkDir(workDir: string, log: Logger, now = Date.now()): string[] {
  // <work>/in_progress/<group>/<project>/<file>: four levels down, not into products.
  const removed = sweepTemporaries(workDir, ORPHAN_AGE_MS, 4, now);
  if (removed.length > 0) log.info({ removed: removed.slice(0, 20) }, `removed ${removed.length} orphaned temporary file(s) from ${workDir}`);
  return removed;
}

export async function startPhaseWorker(phase: WorkerPhase, bus: Bus, config: Config, log: Logger): Promise<void> {
  const request = `project.${phase}.request` as const;
  const sweep = () => {
    try {
      sweepWorkDir(config.workDir, log);
    } catch (e) {
      log.warn({ err: (e as Error).message }, "could not sweep the work directory for orphaned temporary files");
    }
  };
  setTimeout(sweep, 1000).unref();
  setInterval(sweep, ORPHAN_AGE_MS).unref();
  await bus.consume(request, async (msg: Message<typeof request>) => {
    // Before anything touches the disk: a refusal parks the request with the reason (permanent).
    checkRequestPaths(msg, config);
    const project = msg.project ?? "";
    const bindings = { group: msg.group, project, attempt: msg.attempt, phase };
    const projectLog = openProjectLog(log, projectLogPath(msg.body.workDir, phase), { service: bus.sender.split("@")[0] ?? phase, level: config.logLevel, bindings });
    try {
      await handle(msg, projectLog.log);
    } finally {
      // Closed in the background: the request is acknowledged without waiting for the disk.
      void projectLog.close();
    }
  });
  log.info(`listening on ${request}`);

  async function handle(msg: Message<typeof request>, plog: Logger): Promise<void> {
    const project = msg.project ?? "";
    const fields: MessageFields = { group: msg.group, project, attempt: msg.attempt, correlationId: msg.id };
    const t0 = performance.now();
    // Said to the state-tracker first: once the log says "started", the tracker knows it too (so a
    // worker that hangs after that line is found by the tracker's lost-task pass).
    await bus.send(`project.${phase}.started`, fields, { worker: bus.sender });
    plog.info(`${phase} started (${msg.body.files.length} files)`);
    let lastLog = 0;
    const onProgress = (p: { done: number; total: number; unit: string; detail?: string }) => {
      bus.send(`project.${phase}.progress`, fields, p).catch(() => undefined);
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        plog.info(`${phase}: ${p.done}/${p.total} ${p.unit}`);
      }
    };
    try {
      const input = { project, roots: config.dataRoots, request: msg.body, refs: { parquetAbove: config.parquetAbove } } as never;
      const budget = msg.body.config.budget;
      const out = await runTask(phase, input, onProgress, { timeoutSeconds: budget?.seconds, memoryMb: budget?.memoryMb });
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      plog.info(`${phase} succeeded in ${secs} s`);
      await bus.send(`project.${phase}.succeeded`, fields, boundedOutput(phase, out) as never);
    } catch (e) {
      const detail = capError(toErrorDetail(e));
      const reports = isDroverError(e) ? e.reports : {};
      plog.error({ kind: detail.kind, file: detail.file, variable: detail.variable }, `${phase} failed: ${detail.message}`);
      await bus.send(`project.${phase}.failed`, fields, { error: detail, issues: capIssues(issuesFrom(reports)), reports });
    }
  }
}
