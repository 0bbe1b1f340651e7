import { phaseDurations, phaseOf, phases, type ProjectDoc, type ProjectState } from "@drover/shared";

// A project as a card on the board: who it is, where it is, how long each phase took, its
// attempt and its last error on one line.

export interface Card {
  group: string;
  project: string;
  state: ProjectState;
  /** The attempt of the phase its state belongs to (or of the last phase it entered). */
  attempt: number;
  phases: { phase: string; seconds: number; open: boolean }[];
  /** "SourceFormatError: … (file)", on one line. */
  error?: string;
  updatedAt: string;
}

/** An error on one line, at most `max` characters, with its file when it names one. */
export function oneLine(e: { kind: string; message: string; file?: string | undefined }, max = 240): string {
  const text = `${e.kind}: ${e.message}`.replace(/\s+/g, " ").trim();
  const withFile = e.file && !text.includes(e.file) ? `${text} (${e.file})` : text;
  return withFile.length > max ? `${withFile.slice(0, max - 1)}…` : withFile;
}

export function toCard(p: ProjectDoc, now = new Date().toISOString()): Card {
  const phase = phaseOf(p.state) ?? [...phases].reverse().find((x) => p.phases[x] !== undefined);
  const error = p.lastError ?? undefined;
  return {
    group: p.group,
    project: p.code,
    state: p.state,
    attempt: (phase && p.phases[phase]?.attempts) || 0,
    phases: phaseDurations(p.history, now).map((d) => ({ phase: d.phase, seconds: Math.round(d.seconds * 100) / 100, open: d.open })),
    ...(error ? { error: oneLine(error) } : {}),
    updatedAt: p.updatedAt,
  };
}
