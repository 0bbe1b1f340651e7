import { describe, expect, it } from "vitest";
import { count, describeProgress, groupProgress, type ProjectDoc } from "@drover/shared";

// The progress line of `launch --wait` and `status --watch`: counts of the right things.

const states = (...s: ProjectDoc["state"][]) => s.map((state) => ({ state }));

describe("a group's progress", () => {
  it("counts against the projects in the group file, not the ones registered so far", () => {
    const p = groupProgress({ projects: ["a", "b", "c"] }, states("Scanning"));
    expect(describeProgress(p)).toBe("3 projects: registered 1/3, scanned 0/3, computed 0/3, validated 0/3, completed 0/3");
  });

  it("never counts down while the projects move forward", () => {
    // Three projects, one step at a time, the way the demo group goes.
    const path: ProjectDoc["state"][] = ["Registered", "Scanning", "Scanned", "Computing", "Computed", "Validating", "Validated", "Completing", "Completed"];
    const at = [0, 0, 0];
    let last = groupProgress({ projects: ["a", "b", "c"] }, []);
    for (let step = 0; step < path.length * 3; step++) {
      const i = step % 3;
      at[i] = Math.min(path.length - 1, (at[i] ?? 0) + 1);
      const now = groupProgress({ projects: ["a", "b", "c"] }, at.map((n) => ({ state: path[n]! })));
      for (const k of ["scanned", "computed", "validated", "completed"] as const) expect(now[k], `${k} at step ${step}`).toBeGreaterThanOrEqual(last[k]);
      expect(now.total).toBe(3);
      last = now;
    }
    expect(describeProgress(last)).toBe("3 projects: scanned 3/3, computed 3/3, validated 3/3, completed 3/3");
  });

  it("names failures, warnings and the faultlist", () => {
    const p = groupProgress({ projects: ["a", "b", "c", "d"] }, states("ComputeFailed", "ValidatedWithWarnings", "Faultlisted", "Completed"));
    expect(describeProgress(p)).toBe("4 projects: scanned 3/4, computed 2/4, validated 2/4 (1 with warnings), completed 1/4, 1 failed, 1 faultlisted");
  });

  it("says 1 project and 2 projects", () => {
    expect([count(1, "project"), count(2, "project"), count(0, "file")]).toEqual(["1 project", "2 projects", "0 files"]);
  });
});
