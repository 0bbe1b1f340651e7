import type { HistoryEntry } from "../documents.js";
import { activeState, phases, type Phase } from "../lifecycle.js";

// How long each phase of a project took, from its history: from entering the phase's working
// state to leaving it, every attempt added up (the CLI's `show` and the dashboard's cards).

const ms = (iso: string) => Date.parse(iso);

export interface PhaseDuration {
  phase: Phase;
  /** Seconds spent in the phase's working state (queued and running), every attempt together. */
  seconds: number;
  /** Times the phase was entered. */
  attempts: number;
  /** Still in it at the last entry of the history (its last stay counted up to now). */
  open: boolean;
}

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
