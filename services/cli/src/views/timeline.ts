import { activeState, describeMove, phases, type HistoryEntry, type Phase } from "@drover/shared";
import { duration } from "./units.js";

// A project's history as a timeline: each state change with its time and the time since the one
// before, and how long each phase took (from entering its working state to leaving it, every
// attempt added up).

export interface PhaseDuration {
  phase: Phase;
  /** Seconds spent in the phase's working state (queued and running), every attempt together. */
  seconds: number;
  /** Times the phase was entered. */
  attempts: number;
  /** Still in it at the last entry of the history (its last stay counted up to now). */
  open: boolean;
}

const ms = (iso: string) => Date.parse(iso);

/** Each phase the history entered, in phase order; a stay not yet left counts up to `now`. */
export function phaseDurations(history: Pick<HistoryEntry, "at" | "to">[], now: string = new Date().toISOString()): PhaseDuration[] {
  const out: PhaseDuration[] = [];
  for (const phase of phases) {
    const d: PhaseDuration = { phase, seconds: 0, attempts: 0, open: false };
    history.forEach((h, i) => {
      // Scanning → Scanning (a retry while queued) is one more attempt in the same stay.
      if (h.to !== activeState[phase]) return;
      d.attempts++;
      if (history[i - 1]?.to === activeState[phase]) return;
      const end = history.slice(i + 1).find((x) => x.to !== activeState[phase]);
      d.seconds += (ms(end?.at ?? now) - ms(h.at)) / 1000;
      if (!end) d.open = true;
    });
    if (d.attempts > 0) out.push(d);
  }
  return out;
}

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
    const delta = before ? `+${duration((ms(h.at) - ms(before.at)) / 1000)}` : "";
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
