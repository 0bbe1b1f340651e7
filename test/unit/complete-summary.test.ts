import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summaryItems, writeSummary, type PublishedItem } from "../../shared/src/complete/summary.js";

// A group's summary.json, added to a batch at a time by streaming the earlier projects through.

const item = (code: string, extra = ""): PublishedItem => ({ code, product: `/c/g/data/${code}${extra}.k1.0.json`, report: `/c/g/reports/${code}_k1.0_report.json` });

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as { group: string; completedAt: string; projects: PublishedItem[] };

describe("a group's summary", () => {
  it("lists every batch's projects in order, a project published again once, at its latest place", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-summary-"));
    const path = join(dir, "summary.json");
    writeSummary(path, "g", new Date("2026-01-01T00:00:00Z"), [item("a"), item("b")]);
    writeSummary(path, "g", new Date("2026-01-02T00:00:00Z"), [item("c")]);
    writeSummary(path, "g", new Date("2026-01-03T00:00:00Z"), [item("a", "-again"), item("d")]);
    const s = read(path);
    expect(s.group).toBe("g");
    expect(s.completedAt).toBe("2026-01-03T00:00:00.000Z");
    expect(s.projects.map((p) => p.code)).toEqual(["b", "c", "a", "d"]);
    expect(s.projects.find((p) => p.code === "a")?.product).toBe("/c/g/data/a-again.k1.0.json");
    expect(readdirSync(dir)).toEqual(["summary.json"]); // no temporary file left
  });

  it("streams a summary far larger than its read block, lines cut at every block boundary", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-summary-"));
    const path = join(dir, "summary.json");
    const codes = Array.from({ length: 3000 }, (_, i) => `p${i}`);
    for (let b = 0; b < codes.length; b += 500) writeSummary(path, "big", new Date(), codes.slice(b, b + 500).map((c) => item(c, "x".repeat(b % 97))));
    expect(readFileSync(path).length).toBeGreaterThan(4 * 65536);
    expect(read(path).projects.map((p) => p.code)).toEqual(codes);
    expect([...summaryItems(path)].map((p) => p.code)).toEqual(codes);
  });

  it("keeps paths beyond ASCII whole when their characters straddle a read block", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-summary-"));
    const path = join(dir, "summary.json");
    // Two-, three- and four-byte characters, many lines: some character falls across every 64 KiB boundary.
    const codes = Array.from({ length: 2000 }, (_, i) => `p${i}`);
    const odd = (c: string): PublishedItem => ({ code: c, product: `/données/${c}/é${"日本😀".repeat(12)}${"é".repeat(Number(c.slice(1)) % 7)}.json`, report: `/c/${c}.json` });
    writeSummary(path, "g", new Date(), codes.map(odd));
    writeSummary(path, "g", new Date(), [item("last")]);
    const s = read(path);
    expect(s.projects.map((p) => p.code)).toEqual([...codes, "last"]);
    expect(s.projects.slice(0, -1).map((p) => p.product)).toEqual(codes.map((c) => odd(c).product));
  });

  it("keeps the projects of a summary written whole by an earlier version (indented JSON)", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-summary-"));
    const path = join(dir, "summary.json");
    writeFileSync(path, `${JSON.stringify({ group: "g", completedAt: "2025-01-01T00:00:00.000Z", projects: [item("old1"), { ...item("old2"), remote: "/c/g/data/old2.kr1.0.json" }] }, null, 2)}\n`);
    writeSummary(path, "g", new Date(), [item("new")]);
    const s = read(path);
    expect(s.projects.map((p) => p.code)).toEqual(["old1", "old2", "new"]);
    expect(s.projects[1]?.remote).toBe("/c/g/data/old2.kr1.0.json");
  });

  it("starts afresh over a summary that is not JSON, and writes a readable one with no projects before", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-summary-"));
    const path = join(dir, "summary.json");
    writeFileSync(path, "garbage{");
    writeSummary(path, "g", new Date(), [item("only")]);
    expect(read(path).projects.map((p) => p.code)).toEqual(["only"]);
  });
});
