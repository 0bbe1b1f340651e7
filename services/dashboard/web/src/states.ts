import { isFailed, needsOperator, type ProjectState } from "../../../../shared/src/lifecycle.js";

// The lifecycle's states as the page shows them: drover's own list (bundled from shared), each
// with its family's colour.

export { needsOperator, projectStates, type ProjectState } from "../../../../shared/src/lifecycle.js";

export type Family = "waiting" | "working" | "good" | "warning" | "failed" | "aside";

export function family(s: ProjectState): Family {
  if (isFailed(s)) return "failed";
  if (s === "ValidatedWithWarnings") return "warning";
  if (s === "Validated" || s === "Completed") return "good";
  if (s === "Scanning" || s === "Computing" || s === "Validating" || s === "Completing") return "working";
  if (s === "Faultlisted" || s === "Quarantined") return "aside";
  return "waiting";
}

export { needsOperator as needsPerson };
export { isFailed as isFailedState };
