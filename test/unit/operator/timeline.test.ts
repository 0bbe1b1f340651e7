import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "@drover/shared";
import { describeDurations, phaseDurations, timelineLines } from "../../../services/cli/src/views/timeline.js";
import { bytes, duration } from "../../../services/cli/src/views/units.js";

const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 13, 0, 0) + s * 1000).toISOString();
let seq = 0;
const h = (s: number, from: string | null, to: string, reason = "", attempt?: number): HistoryEntry => ({ seq: ++seq, at: at(s), from, to, event: "test", reason, ...(attempt ? { attempt } : {}) });

const history = [
  h(0, null, "Registered", "registered with 3 files"),
  h(0.5, "Registered", "Scanning"),
  h(2, "Scanning", "Scanned"),
  h(2, "Scanned", "Computing"),
  h(5, "Computing", "ComputeFailed", "disk full"),
  h(65, "ComputeFailed", "Computing", "retry", 2),
  h(75, "Computing", "Computed", "", 2),
  h(75, "Computed", "Validating"),
];

describe("phaseDurations", () => {
  it("adds up each phase's stays in its working state, counting attempts", () => {
    const d = phaseDurations(history, at(80));
    expect(d.map((x) => x.phase)).toEqual(["scan", "compute", "validate"]);
    expect(d[0]).toMatchObject({ seconds: 1.5, attempts: 1, open: false });
    expect(d[1]).toMatchObject({ seconds: 13, attempts: 2, open: false });
    // Still validating: counted up to now.
    expect(d[2]).toMatchObject({ seconds: 5, attempts: 1, open: true });
    expect(describeDurations(d)).toBe("scan 1.50 s, compute 13.0 s (2 attempts), validate 5.00 s so far");
  });

  it("counts a re-request while queued (Scanning → Scanning) as an attempt of the same stay", () => {
    const d = phaseDurations([h(0, null, "Registered"), h(1, "Registered", "Scanning"), h(4, "Scanning", "Scanning", "", 2), h(6, "Scanning", "Scanned")], at(10));
    expect(d).toEqual([{ phase: "scan", seconds: 5, attempts: 2, open: false }]);
  });
});

describe("timelineLines", () => {
  it("prints each change with its time, the time since the one before, the move and the reason", () => {
    const lines = timelineLines(history);
    expect(lines[0]).toBe("2026-12-03 13:00:00.000              (new) → Registered         registered with 3 files  (test)");
    expect(lines[1]).toContain("    +0.50 s  Registered → Scanning");
    expect(lines[5]).toContain("+1 min 00 s  ComputeFailed → Computing");
    expect(lines[5]).toContain("retry [attempt 2]");
    expect(lines).toHaveLength(history.length);
  });
});

describe("units", () => {
  it("words durations and sizes", () => {
    expect(duration(0.234)).toBe("0.23 s");
    expect(duration(12.44)).toBe("12.4 s");
    expect(duration(185)).toBe("3 min 05 s");
    expect(duration(7440)).toBe("2 h 04 min");
    expect(bytes(512)).toBe("512 B");
    expect(bytes(396654)).toBe("396.7 kB");
    expect(bytes(3e9)).toBe("3.0 GB");
  });
});
