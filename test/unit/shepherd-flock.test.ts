import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listFlock, settled } from "../../services/shepherd/src/flock.js";

// What the shepherd reads from a flock directory: group files and group directories, the
// .shpignore markers, and whether a file has stopped changing.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function flock(): string {
  const d = mkdtempSync(join(tmpdir(), "drover-flock-"));
  dirs.push(d);
  return d;
}

describe("the flock directory", () => {
  it("finds group files and group directories, with their .shpignore markers", () => {
    const d = flock();
    writeFileSync(join(d, "alpha.csv"), "p,/data/*.nc\n");
    writeFileSync(join(d, "beta.csv"), "q,/data/*.nc\n");
    writeFileSync(join(d, "beta.shpignore"), "");
    writeFileSync(join(d, "notes.txt"), "not a group");
    mkdirSync(join(d, "gamma"));
    writeFileSync(join(d, "gamma", "cmip.csv"), "r,/data/*.nc\n");
    writeFileSync(join(d, "gamma", ".shpignore"), "");
    mkdirSync(join(d, "delta"));
    writeFileSync(join(d, "delta", "one.csv"), "");
    writeFileSync(join(d, "delta", "two.csv"), "");
    mkdirSync(join(d, "completed"));
    writeFileSync(join(d, "completed", "old.csv"), "");
    const entries = listFlock(d);
    expect(entries.map((e) => [e.group, e.ignored, e.problem === undefined])).toEqual([
      ["alpha", false, true],
      ["beta", true, true],
      ["delta", false, false],
      ["gamma", true, true],
    ]);
    expect(entries[0]).toMatchObject({ file: join(d, "alpha.csv"), size: 13, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(entries[2]?.problem).toContain("holds 2 CSV files (one.csv, two.csv)");
  });

  it("changes a file's hash when its content changes, not its time", () => {
    const d = flock();
    writeFileSync(join(d, "a.csv"), "p,/x/*.nc\n");
    const h1 = listFlock(d)[0]?.hash;
    writeFileSync(join(d, "a.csv"), "p,/x/*.nc\n");
    expect(listFlock(d)[0]?.hash).toBe(h1);
    writeFileSync(join(d, "a.csv"), "p,/y/*.nc\n");
    expect(listFlock(d)[0]?.hash).not.toBe(h1);
  });
});

describe("settling", () => {
  it("reads a file only once it has looked the same for the settle time", () => {
    const seen = new Map<string, { hash: string; since: number }>();
    const e = (hash: string) => ({ group: "g", file: "/f/g.csv", hash, size: 1, ignored: false });
    expect(settled(e("h1"), seen, 0, 2000)).toBe(false);
    expect(settled(e("h1"), seen, 1000, 2000)).toBe(false);
    expect(settled(e("h2"), seen, 2500, 2000)).toBe(false); // still being written
    expect(settled(e("h2"), seen, 4000, 2000)).toBe(false);
    expect(settled(e("h2"), seen, 4500, 2000)).toBe(true);
    expect(settled(e("h3"), new Map(), 0, 0)).toBe(true);
  });
});
