// The project lifecycle as data: the states, the phase each belongs to, and the allowed moves.
// Every state change in drover goes through `canMove`; the state-tracker is its only caller that writes.

export const projectStates = [
  "Registered",
  "Scanning",
  "Scanned",
  "ScanFailed",
  "Computing",
  "Computed",
  "ComputeFailed",
  "Validating",
  "Validated",
  "ValidatedWithWarnings",
  "ValidationFailed",
  "Completing",
  "Completed",
  "CompletionFailed",
  "Faultlisted",
  "Quarantined",
] as const;
export type ProjectState = (typeof projectStates)[number];

export const phases = ["scan", "compute", "validate", "complete"] as const;
export type Phase = (typeof phases)[number];

/** The state a project is in while a phase's work is queued or running. */
export const activeState: Record<Phase, ProjectState> = {
  scan: "Scanning",
  compute: "Computing",
  validate: "Validating",
  complete: "Completing",
};

export const failedState: Record<Phase, ProjectState> = {
  scan: "ScanFailed",
  compute: "ComputeFailed",
  validate: "ValidationFailed",
  complete: "CompletionFailed",
};

export const doneState: Record<Phase, ProjectState> = {
  scan: "Scanned",
  compute: "Computed",
  validate: "Validated",
  complete: "Completed",
};

/** Which phase comes after a resting state when the project advances. */
export const nextPhase: Partial<Record<ProjectState, Phase>> = {
  Registered: "scan",
  Scanned: "compute",
  Computed: "validate",
};

const moves: Record<ProjectState, readonly ProjectState[]> = {
  Registered: ["Scanning", "Faultlisted", "Quarantined"],
  Scanning: ["Scanning", "Scanned", "ScanFailed", "Faultlisted"],
  Scanned: ["Computing", "Scanning", "Faultlisted", "Quarantined"],
  ScanFailed: ["Scanning", "Faultlisted", "Quarantined"],
  Computing: ["Computing", "Computed", "ComputeFailed", "Faultlisted"],
  Computed: ["Validating", "Computing", "Faultlisted", "Quarantined"],
  ComputeFailed: ["Computing", "Scanning", "Faultlisted", "Quarantined"],
  Validating: ["Validating", "Validated", "ValidatedWithWarnings", "ValidationFailed", "Faultlisted"],
  Validated: ["Completing", "Computing", "Faultlisted"],
  ValidatedWithWarnings: ["Validated", "Validating", "Computing", "Faultlisted", "Quarantined"],
  ValidationFailed: ["Validating", "Computing", "Scanning", "Faultlisted", "Quarantined"],
  Completing: ["Completing", "Completed", "CompletionFailed"],
  Completed: [],
  CompletionFailed: ["Completing", "Validated"],
  Faultlisted: ["Registered"],
  // Set aside for a person (PADOCC's quarantine): released back to Registered, or faultlisted.
  Quarantined: ["Registered", "Faultlisted"],
};

export function canMove(from: ProjectState, to: ProjectState): boolean {
  return moves[from].includes(to);
}

export function allowedMoves(from: ProjectState): readonly ProjectState[] {
  return moves[from];
}

/** States in which work is queued or running. */
export function isActive(s: ProjectState): boolean {
  return s === "Scanning" || s === "Computing" || s === "Validating" || s === "Completing";
}

export function isFailed(s: ProjectState): boolean {
  return s === "ScanFailed" || s === "ComputeFailed" || s === "ValidationFailed" || s === "CompletionFailed";
}

/** A project that needs an operator before its group can complete. */
export function needsOperator(s: ProjectState): boolean {
  return isFailed(s) || s === "ValidatedWithWarnings" || s === "Quarantined";
}

/** The phase a state belongs to, or undefined for Registered / Faultlisted / Quarantined. */
export function phaseOf(s: ProjectState): Phase | undefined {
  for (const p of phases) {
    if (activeState[p] === s || failedState[p] === s || doneState[p] === s) return p;
  }
  if (s === "ValidatedWithWarnings") return "validate";
  return undefined;
}

export const groupStates = ["Active", "Completing", "Completed", "Incomplete"] as const;
export type GroupState = (typeof groupStates)[number];

/** The lifecycle as a Mermaid diagram (README, `drover lifecycle`). */
export function lifecycleDiagram(): string {
  const lines = ["stateDiagram-v2", "  [*] --> Registered"];
  for (const from of projectStates) {
    for (const to of moves[from]) if (to !== from) lines.push(`  ${from} --> ${to}`);
  }
  lines.push("  Completed --> [*]");
  return lines.join("\n");
}
