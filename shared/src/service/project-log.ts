import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
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

/** How long a task's lines may wait in memory before they are appended to its file. */
const FLUSH_MS = 1000;

/**
 * The project's log for one task. Its lines are gathered in memory and appended to the file in
 * the background: within a second while the task runs, and when it ends (`close`). A task of a
 * file or two thus costs one append, not an open, a directory check, a flush to disk and a close
 * on the service's thread; the lines are on the service's log as they happen either way. A file
 * that cannot be written is reported once on the service's log and the task goes on without it.
 */
export function openProjectLog(
  serviceLog: Logger,
  file: string,
  options: { service: string; level: string; bindings: Record<string, unknown> },
): ProjectLog {
  let lines: string[] = [];
  let failed = false;
  let timer: NodeJS.Timeout | undefined;
  let written: Promise<void> = Promise.resolve();

  const append = async (text: string): Promise<void> => {
    try {
      await appendFile(file, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, text);
    }
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0 || failed) return written;
    const text = lines.join("");
    lines = [];
    // One after another, so the file keeps the lines' order.
    written = written.then(() =>
      append(text).catch((e: Error) => {
        if (failed) return;
        failed = true;
        serviceLog.warn({ file, err: e.message }, `cannot write the project's log ${file}: ${e.message} (check the work directory's permissions); the task goes on without it`);
      }),
    );
    return written;
  };
  const sink = {
    write(line: string) {
      if (failed) return;
      lines.push(line);
      timer ??= setTimeout(() => void flush(), FLUSH_MS).unref();
    },
  };
  const fileLog = redactingLogger(pino({ name: options.service, level: options.level, ...redacting }, sink)).child(options.bindings);
  return {
    log: teeLogger(serviceLog.child(options.bindings), fileLog),
    close: () => flush(),
  };
}
