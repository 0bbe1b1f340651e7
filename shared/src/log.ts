import { pino } from "pino";

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

/** pino: readable lines when stdout is a terminal (or format=pretty), JSON otherwise. */
export function createLogger(options: LogOptions): Logger {
  const pretty = options.format === "pretty" || (options.format !== "json" && process.stdout.isTTY === true);
  const base = { level: options.level ?? "info", name: options.name };
  if (!pretty) return pino(base) as unknown as Logger;
  return pino({
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
  }) as unknown as Logger;
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
