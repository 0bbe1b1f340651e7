import { readFileSync } from "node:fs";
import type { Bus } from "../bus.js";
import type { Config } from "../config.js";
import { isDroverError, toErrorDetail } from "../errors.js";
import type { Logger } from "../log.js";
import type { Message, MessageFields } from "../messages.js";
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

export async function startPhaseWorker(phase: WorkerPhase, bus: Bus, config: Config, log: Logger): Promise<void> {
  const request = `project.${phase}.request` as const;
  await bus.consume(request, async (msg: Message<typeof request>) => {
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
    plog.info(`${phase} started (${msg.body.files.length} files)`);
    await bus.send(`project.${phase}.started`, fields, { worker: bus.sender });
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
      await bus.send(`project.${phase}.succeeded`, fields, out as never);
    } catch (e) {
      const detail = toErrorDetail(e);
      const reports = isDroverError(e) ? e.reports : {};
      plog.error({ kind: detail.kind, file: detail.file, variable: detail.variable }, `${phase} failed: ${detail.message}`);
      await bus.send(`project.${phase}.failed`, fields, { error: detail, issues: issuesFrom(reports), reports });
    }
  }
}
