import { clock } from "./timeline.js";
import type { LogLine } from "@drover/shared";

// A project's log lines (parsed and merged in @drover/shared, which the dashboard uses too),
// printed as readable lines.

export { historyLines, mergeByTime, onlyPhase, parseLogFile, type LogLine } from "@drover/shared";

function shown(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** "2026-12-03 13:02:03.053  scanner        scan      info   scan started (3 files)". */
export function formatLogLine(l: LogLine): string {
  const extra = Object.entries(l.extra).map(([k, v]) => `${k}=${shown(v)}`);
  const attempt = l.attempt !== undefined && l.attempt > 1 ? ` [attempt ${l.attempt}]` : "";
  return `${clock(l.time)}  ${l.service.padEnd(13)}  ${l.phase.padEnd(8)}  ${l.level.padEnd(5)}  ${l.msg}${attempt}${extra.length ? `  ${extra.join(" ")}` : ""}`;
}
