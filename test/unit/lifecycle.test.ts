import { describe, expect, it } from "vitest";
import { activeState, allowedMoves, canMove, lifecycleDiagram, phaseOf, projectStates } from "@drover/shared";

describe("the project lifecycle", () => {
  it("walks the happy path one legal move at a time", () => {
    const path = ["Registered", "Scanning", "Scanned", "Computing", "Computed", "Validating", "Validated", "Completing", "Completed"] as const;
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`).toBe(true);
  });

  it("refuses skipping phases and leaving Completed", () => {
    expect(canMove("Registered", "Computing")).toBe(false);
    expect(canMove("Scanned", "Validated")).toBe(false);
    expect(canMove("ValidationFailed", "Completing")).toBe(false);
    expect(allowedMoves("Completed")).toEqual([]);
  });

  it("lets an operator accept warnings, retry failures and take projects off the faultlist", () => {
    expect(canMove("ValidatedWithWarnings", "Validated")).toBe(true);
    for (const failed of ["ScanFailed", "ComputeFailed", "ValidationFailed"] as const) expect(canMove(failed, "Faultlisted")).toBe(true);
    expect(canMove("ComputeFailed", "Computing")).toBe(true);
    expect(canMove("Faultlisted", "Registered")).toBe(true);
  });

  it("gives every state but Registered, Faultlisted and Quarantined a phase", () => {
    for (const s of projectStates) {
      if (s === "Registered" || s === "Faultlisted" || s === "Quarantined") expect(phaseOf(s)).toBeUndefined();
      else expect(phaseOf(s), s).toBeDefined();
    }
    expect(phaseOf(activeState.compute)).toBe("compute");
  });

  it("draws every allowed move in the diagram", () => {
    const d = lifecycleDiagram();
    expect(d).toContain("Validating --> ValidatedWithWarnings");
    expect(d.split("\n").filter((l) => l.includes("-->")).length).toBe(
      projectStates.reduce((n, s) => n + allowedMoves(s).filter((t) => t !== s).length, 0) + 2,
    );
  });
});
