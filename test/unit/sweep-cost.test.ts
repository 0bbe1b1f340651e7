import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// The sweep of temporary files runs on every completion batch over a directory holding an entry
// a published project: it may read the directory's names, but must not look at each entry's times.

const lstats: string[] = [];
vi.mock("node:fs", async (original) => {
  const real = await original<typeof import("node:fs")>();
  return {
    ...real,
    lstatSync: ((p: fs.PathLike, o?: fs.StatSyncOptions) => {
      lstats.push(String(p));
      return real.lstatSync(p, o);
    }) as typeof real.lstatSync,
  };
});

const { sweepTemporaries, tempPathFor } = await import("../../shared/src/fsutil.js");

describe("sweeping a complete directory", () => {
  it("looks at the times of temporary entries only, however many published files it holds", () => {
    const dir = fs.mkdtempSync(join(tmpdir(), "drover-sweep-"));
    fs.mkdirSync(join(dir, "data"));
    for (let i = 0; i < 500; i++) fs.writeFileSync(join(dir, "data", `p${i}.k1.0.json`), "{}");
    const old = tempPathFor(join(dir, "data", "p1.k1.0.json"));
    fs.writeFileSync(old, "half");
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(old, past, past);
    lstats.length = 0;
    const removed = sweepTemporaries(dir, 60_000, 1);
    expect(removed).toEqual([old]);
    expect(lstats).toEqual([old]);
    expect(fs.readdirSync(join(dir, "data"))).toHaveLength(500);
  });
});
