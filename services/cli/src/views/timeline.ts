import { describeMove, phaseDurations, type HistoryEntry, type PhaseDuration } from "@drover/shared";

export { phaseDurations, type PhaseDuration };
import { duration } from "./units.js";

// A project's history as a timeline: each state change with its time and the time since the one
// before, and how long each phase took (phaseDurations, in @drover/shared: the dashboard uses it too).

/** A time as "2026-12-03 13:02:03.262" in UTC (the way the services' documents record it). */
export function clock(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace("T", " ").replace("Z", "");
}

/** One line per state change: time, "+seconds since the one before", the move, what caused it and why. */
export function timelineLines(history: HistoryEntry[]): string[] {
  const moves = history.map((h) => describeMove(h));
  const width = Math.max(0, ...moves.map((m) => m.length));
  return history.map((h, i) => {
    const before = history[i - 1];
    const delta = before ? `+${duration((Date.parse(h.at) - Date.parse(before.at)) / 1000)}` : "";
    const attempt = h.attempt !== undefined && h.attempt > 1 ? ` [attempt ${h.attempt}]` : "";
    return `${clock(h.at)}  ${delta.padStart(10)}  ${(moves[i] ?? "").padEnd(width)}  ${h.reason}${attempt}  (${h.event})`;
  });
}

/** "scan 0.23 s, compute 0.20 s (2 attempts), validate 0.72 s so far". */
export function describeDurations(list: PhaseDuration[]): string {
  return list
    .map((d) => `${d.phase} ${duration(d.seconds)}${d.open ? " so far" : ""}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}`)
    .join(", ");
}
