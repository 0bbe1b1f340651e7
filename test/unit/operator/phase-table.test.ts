import { describe, expect, it } from "vitest";
import { formatPhaseTable, oneLineError, percent, phaseTable } from "../../../services/cli/src/views/phase-table.js";

describe("phaseTable", () => {
  it("counts every project for the phases it passed, and where it is now", () => {
    const t = phaseTable({ Registered: 1, Scanning: 2, ScanFailed: 1, Computing: 3, Computed: 1, ValidatedWithWarnings: 2, Completed: 10, Faultlisted: 4, Quarantined: 1 });
    expect(t.inPlay).toBe(20);
    expect(t.faultlisted).toBe(4);
    expect(t.quarantined).toBe(1);
    const row = (phase: string) => t.rows.find((r) => r.phase === phase);
    expect(row("scan")).toMatchObject({ done: 16, running: 2, failed: 1, waiting: 1 });
    expect(row("compute")).toMatchObject({ done: 13, running: 3, failed: 0, waiting: 4 });
    expect(row("validate")).toMatchObject({ done: 12, running: 0, failed: 0, waiting: 8, withWarnings: 2 });
    expect(row("complete")).toMatchObject({ done: 10, running: 0, failed: 0, waiting: 10 });
    for (const r of t.rows) expect(r.done + r.running + r.failed + r.waiting).toBe(t.inPlay);
  });

  it("is all zeros for an empty group", () => {
    const t = phaseTable({});
    expect(t.inPlay).toBe(0);
    expect(t.rows.map((r) => r.done + r.running + r.failed + r.waiting)).toEqual([0, 0, 0, 0]);
  });
});

describe("percent", () => {
  it("rounds down, so 100% means every project", () => {
    expect(percent(3, 3)).toBe("100%");
    expect(percent(9999, 10000)).toBe(" 99%");
    expect(percent(1, 3)).toBe(" 33%");
    expect(percent(1, 10000)).toBe(" <1%");
    expect(percent(0, 10)).toBe("  0%");
    expect(percent(0, 0)).toBe("   -");
  });
});

describe("formatPhaseTable", () => {
  it("prints a line per phase with counts and percentages, aligned, and what was set aside", () => {
    const lines = formatPhaseTable(phaseTable({ Completed: 9998, ComputeFailed: 2, Faultlisted: 1 }));
    expect(lines).toEqual([
      "  phase      done        running  failed  waiting",
      "  scan       10000 100%        0       0        0",
      "  compute     9998  99%        0       2        0",
      "  validate    9998  99%        0       0        2",
      "  complete    9998  99%        0       0        2",
      "  set aside (not counted above): 1 faultlisted",
    ]);
  });
});

describe("oneLineError", () => {
  it("puts kind, message and file on one line, without naming the file twice", () => {
    expect(oneLineError({ kind: "SourceFormatError", message: "truncated\n  at offset 0", file: "/d/b.nc" })).toBe("SourceFormatError: truncated at offset 0 (file /d/b.nc)");
    expect(oneLineError({ kind: "ScanError", message: "/d/b.nc: bad superblock", file: "/d/b.nc", variable: "tas" })).toBe("ScanError: /d/b.nc: bad superblock (variable tas)");
  });

  it("cuts a long message at the width", () => {
    const line = oneLineError({ kind: "K", message: "x".repeat(500) }, 50);
    expect(line).toHaveLength(50);
    expect(line.endsWith("…")).toBe(true);
  });
});
