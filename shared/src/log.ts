import { pino, type Logger as PinoLogger, type LoggerOptions } from "pino";
import { redactFields, redactSecrets } from "./redact.js";

/** The narrow logger every module takes; pino child loggers satisfy it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LogOptions {
  level?: string;
  format?: "auto" | "pretty" | "json";
  /** Service name, shown on every line. */
  name: string;
}

/** pino options that take URL passwords out of every line: its message, its fields, an error logged on its own. */
export const redacting: Pick<LoggerOptions, "formatters" | "hooks"> = {
  formatters: { log: (obj) => redactFields(obj), bindings: (b) => redactFields(b) },
  hooks: {
    logMethod(args, method) {
      method.apply(this, args.map((a) => (typeof a === "string" ? redactSecrets(a) : a instanceof Error ? redactFields(a) : a)) as Parameters<typeof method>);
    },
  },
};

/** A pino logger as a Logger whose children's bindings are redacted too (pino writes those as given). */
export function redactingLogger(l: PinoLogger): Logger {
  return {
    debug: (...args: [object | string, string?]) => l.debug(...(args as [never])),
    info: (...args: [object | string, string?]) => l.info(...(args as [never])),
    warn: (...args: [object | string, string?]) => l.warn(...(args as [never])),
    error: (...args: [object | string, string?]) => l.error(...(args as [never])),
    child: (bindings) => redactingLogger(l.child(redactFields(bindings))),
  };
}

/** pino: readable lines when stdout is a terminal (or format=pretty), JSON otherwise. No line shows a URL's password. */
export function createLogger(options: LogOptions): Logger {
  const pretty = options.format === "pretty" || (options.format !== "json" && process.stdout.isTTY === true);
  const base: LoggerOptions = { level: options.level ?? "info", name: options.name, ...redacting };
  // Written without waiting (lines made while one write is out leave together in the next), and
  // flushed at exit by pino: a line each time would be a system call each, and on a pipe or a
  // terminal each one wakes the reader too.
  if (!pretty) return redactingLogger(pino(base, pino.destination({ dest: 1, sync: false })));
  return redactingLogger(
    pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: {
          colorize: process.stdout.isTTY === true,
          translateTime: "SYS:HH:MM:ss.l",
          // group and project are shown in front of the message; the rest follows it.
          ignore: "pid,hostname,group,project",
          messageFormat: "{if project}[{group}/{project}] {end}{msg}",
          singleLine: true,
        },
      },
    }),
  );
}

/** A logger that drops everything (tests, one-shot library use). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
