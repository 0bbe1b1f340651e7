import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "@drover/shared";
import { formatLogLine, historyLines, mergeByTime, onlyPhase, parseLogFile } from "../../../services/cli/src/views/log-lines.js";

const t0 = Date.UTC(2026, 11, 3, 13, 2, 3);
const pinoLine = (ms: number, name: string, phase: string, msg: string, extra: object = {}, level = 30) =>
  JSON.stringify({ level, time: t0 + ms, pid: 1, hostname: "vm", name, group: "g", project: "p", attempt: 1, phase, ...extra, msg });

describe("parseLogFile", () => {
  it("reads pino's JSON lines, keeping extra fields and level names", () => {
    const text = `${pinoLine(0, "scanner", "scan", "scan started (3 files)")}\n${pinoLine(50, "scanner", "scan", "scan failed: truncated", { kind: "SourceFormatError", file: "/d/b.nc" }, 50)}\n`;
    const lines = parseLogFile(text, { service: "scan", phase: "scan" });
    expect(lines).toEqual([
      { time: t0, service: "scanner", phase: "scan", level: "info", msg: "scan started (3 files)", attempt: 1, extra: {} },
      { time: t0 + 50, service: "scanner", phase: "scan", level: "error", msg: "scan failed: truncated", attempt: 1, extra: { kind: "SourceFormatError", file: "/d/b.nc" } },
    ]);
  });

  it("keeps a line that is not JSON, at the time of the line before it", () => {
    const lines = parseLogFile(`${pinoLine(10, "computer", "compute", "a")}\n{"cut off\n`, { service: "compute", phase: "compute" });
    expect(lines[1]).toMatchObject({ time: t0 + 10, service: "compute", phase: "compute", level: "?", msg: '{"cut off' });
  });
});

describe("merging the phases' files with the state-tracker's history", () => {
  const history: HistoryEntry[] = [
    { seq: 1, at: new Date(t0 - 5).toISOString(), from: "Registered", to: "Scanning", event: "e", reason: "auto-advance to scan" },
    { seq: 2, at: new Date(t0 + 60).toISOString(), from: "Scanning", to: "Scanned", event: "e", reason: "3 files", attempt: 1 },
    { seq: 3, at: new Date(t0 + 60).toISOString(), from: "Scanned", to: "Computing", event: "e", reason: "auto-advance to compute", attempt: 1 },
    { seq: 4, at: new Date(t0 + 200).toISOString(), from: "Computing", to: "Computed", event: "e", reason: "kerchunk", attempt: 1 },
  ];
  const scan = parseLogFile([pinoLine(0, "scanner", "scan", "scan started"), pinoLine(55, "scanner", "scan", "scan succeeded")].join("\n"), { service: "scan", phase: "scan" });
  const compute = parseLogFile([pinoLine(70, "computer", "compute", "compute started"), pinoLine(190, "computer", "compute", "compute succeeded")].join("\n"), { service: "compute", phase: "compute" });

  it("orders every line by time, lines of the same time in the order given", () => {
    const merged = mergeByTime(compute, scan, historyLines(history));
    expect(merged.map((l) => `${l.service}: ${l.msg}`)).toEqual([
      "state-tracker: Registered → Scanning: auto-advance to scan",
      "scanner: scan started",
      "scanner: scan succeeded",
      "state-tracker: Scanning → Scanned: 3 files",
      "state-tracker: Scanned → Computing: auto-advance to compute",
      "computer: compute started",
      "computer: compute succeeded",
      "state-tracker: Computing → Computed: kerchunk",
    ]);
  });

  it("keeps one phase's lines, the state-tracker's moves into that phase's states included", () => {
    const merged = onlyPhase(mergeByTime(compute, scan, historyLines(history)), "compute");
    expect(merged.map((l) => l.msg)).toEqual(["Scanned → Computing: auto-advance to compute", "compute started", "compute succeeded", "Computing → Computed: kerchunk"]);
  });

  it("prints time, service, phase, level and message, then the extra fields", () => {
    const [line] = parseLogFile(pinoLine(0, "validator", "validate", "validate failed: data differ", { kind: "ValidationError", variable: "tas" }, 50), { service: "validate", phase: "validate" });
    expect(formatLogLine(line!)).toBe("2026-12-03 13:02:03.000  validator      validate  error  validate failed: data differ  kind=ValidationError variable=tas");
    expect(formatLogLine({ ...line!, attempt: 2, extra: {} })).toContain("data differ [attempt 2]");
  });
});
