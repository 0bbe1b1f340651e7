import { join } from "node:path";
import { pino } from "pino";
import { redacting, redactingLogger, type Logger } from "../log.js";

// Each project's own log: while a worker handles a task for a project, the lines it logs about
// that task also go, as JSON lines (pino's own), to `<workDir>/logs/<phase>.log`, appended, so
// that `drover logs` can show one project's story without anyone grepping five terminals.

/** Where a phase's lines for one project go. */
export function projectLogPath(workDir: string, phase: string): string {
  return join(workDir, "logs", `${phase}.log`);
}

/** Every line goes to both loggers (and a child to both children). */
export function teeLogger(a: Logger, b: Logger): Logger {
  return {
    debug: (o, m) => (a.debug(o, m), b.debug(o, m)),
    info: (o, m) => (a.info(o, m), b.info(o, m)),
    warn: (o, m) => (a.warn(o, m), b.warn(o, m)),
    error: (o, m) => (a.error(o, m), b.error(o, m)),
    child: (bindings) => teeLogger(a.child(bindings), b.child(bindings)),
  };
}

export interface ProjectLog {
  /** Logs to the service's log and to the project's file, both with the task's bindings. */
  log: Logger;
  /** Flushes and closes the file; never throws. */
  close(): Promise<void>;
}

/**
 * Opens the project's log file for one task (asynchronous writes: the task never waits for the
 * disk). A file that cannot be opened or written is reported once on the service's log and the
 * task goes on without it.
 */
export function openProjectLog(
  serviceLog: Logger,
  file: string,
  options: { service: string; level: string; bindings: Record<string, unknown> },
): ProjectLog {
  const dest = pino.destination({ dest: file, append: true, mkdir: true, sync: false });
  let failed = false;
  dest.on("error", (e: Error) => {
    if (failed) return;
    failed = true;
    serviceLog.warn({ file, err: e.message }, `cannot write the project's log ${file}: ${e.message} (check the work directory's permissions); the task goes on without it`);
  });
  const fileLog = redactingLogger(pino({ name: options.service, level: options.level, ...redacting }, dest)).child(options.bindings);
  return {
    log: teeLogger(serviceLog.child(options.bindings), fileLog),
    close: () =>
      new Promise<void>((resolve) => {
        if (failed) return resolve();
        dest.once("close", () => resolve());
        dest.once("error", () => resolve());
        dest.end();
      }),
  };
}
