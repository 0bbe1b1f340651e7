import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeMove, type HistoryEntry } from "../documents.js";
import { phaseOf, type Phase, type ProjectState } from "../lifecycle.js";

// One project's log, from every service: the lines each worker wrote to the project's own log
// files (JSON lines as pino writes them, `<workDir>/logs/<phase>.log`) and the state-tracker's
// view (the history entries kept in the project's document), merged by time. The CLI's
// `drover logs` prints them; the dashboard's project page shows them beside the errors.

export interface LogLine {
  /** Milliseconds since the epoch. */
  time: number;
  service: string;
  phase: string;
  level: string;
  msg: string;
  attempt?: number | undefined;
  /** Other fields of the line (an error's kind, file, variable), shown after the message. */
  extra: Record<string, unknown>;
}

const levels: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
// pino's own fields and the task's bindings: shown in columns, not repeated after the message.
const known = new Set(["level", "time", "pid", "hostname", "name", "msg", "group", "project", "phase", "attempt"]);

/**
 * The lines of one log file. A line that is not JSON (a file written by hand, a cut last line)
 * is kept as it is, at the time of the line before it, so nothing is hidden.
 */
export function parseLogFile(text: string, fallback: { service: string; phase: string }): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    let v: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) v = parsed as Record<string, unknown>;
    } catch {
      v = undefined;
    }
    if (!v) {
      out.push({ time: out.at(-1)?.time ?? 0, service: fallback.service, phase: fallback.phase, level: "?", msg: raw, extra: {} });
      continue;
    }
    const extra = Object.fromEntries(Object.entries(v).filter(([k, x]) => !known.has(k) && x !== undefined));
    out.push({
      time: typeof v["time"] === "number" ? v["time"] : Date.parse(String(v["time"])) || 0,
      service: typeof v["name"] === "string" ? v["name"] : fallback.service,
      phase: typeof v["phase"] === "string" ? v["phase"] : fallback.phase,
      level: levels[Number(v["level"])] ?? String(v["level"] ?? "?"),
      msg: String(v["msg"] ?? ""),
      attempt: typeof v["attempt"] === "number" ? v["attempt"] : undefined,
      extra,
    });
  }
  return out;
}

/** The state-tracker's view: each history entry as a line of the tracker's. */
export function historyLines(history: HistoryEntry[]): LogLine[] {
  return history.map((h) => ({
    time: Date.parse(h.at),
    service: "state-tracker",
    phase: phaseOf(h.to as ProjectState) ?? "-",
    level: "info",
    msg: `${describeMove(h)}: ${h.reason}`,
    attempt: h.attempt,
    extra: {},
  }));
}

/** All the lines in time order; lines of the same time keep the order of the lists they came in. */
export function mergeByTime(...lists: LogLine[][]): LogLine[] {
  return lists
    .flat()
    .map((line, i) => ({ line, i }))
    .sort((a, b) => a.line.time - b.line.time || a.i - b.i)
    .map(({ line }) => line);
}

/** Keeps the lines of one phase (the state-tracker's lines of that phase's states included). */
export function onlyPhase(lines: LogLine[], phase: Phase | undefined): LogLine[] {
  return phase === undefined ? lines : lines.filter((l) => l.phase === phase);
}

/** Every `<phase>.log` in a project's `logs/` directory, parsed (none when it does not exist yet). */
export function readLogFiles(dir: string): LogLine[][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => {
      const phase = f.slice(0, -".log".length);
      return parseLogFile(readFileSync(join(dir, f), "utf8"), { service: phase, phase });
    });
}

/** The project's log directory: where its workers write. */
export function projectLogDir(workDir: string): string {
  return join(workDir, "logs");
}
