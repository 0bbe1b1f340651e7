import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { globFiles, readGroupFile, splitCsvLine } from "@drover/shared";

describe("group files (PADOCC's CSV)", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-group-"));
  const data = join(root, "data");
  beforeAll(() => {
    for (const d of ["a", "b", "b/deep"]) mkdirSync(join(data, d), { recursive: true });
    for (const f of ["a/x_2.nc", "a/x_1.nc", "a/y.txt", "b/deep/z.nc", "b/.hidden.nc"]) writeFileSync(join(data, f), "");
    writeFileSync(join(data, "b", "list.txt"), `# files of project b\n${join(data, "a", "x_1.nc")}\n\ndeep/z.nc\n`);
    writeFileSync(join(data, "upd.json"), JSON.stringify({ title: "new", version: 2 }));
    writeFileSync(join(data, "rem.json"), JSON.stringify(["history"]));
    mkdirSync(join(root, "elsewhere"));
    writeFileSync(join(root, "elsewhere", "secret.nc"), "");
    symlinkSync(join(root, "elsewhere", "secret.nc"), join(data, "a", "link.nc"));
  });

  it("splits quoted fields that contain commas", () => {
    expect(splitCsvLine('p1, "/d/{a,b}/*.nc" ,u.json')).toEqual(["p1", "/d/{a,b}/*.nc", "u.json"]);
    expect(splitCsvLine('a,"say ""hi""",')).toEqual(["a", 'say "hi"', ""]);
  });

  it("globs within and across directories, sorted, skipping hidden files", () => {
    expect(globFiles(join(data, "a", "x_*.nc"))).toEqual([join(data, "a", "x_1.nc"), join(data, "a", "x_2.nc")]);
    expect(globFiles(join(data, "**", "*.nc"))).toEqual([join(data, "a", "link.nc"), join(data, "a", "x_1.nc"), join(data, "a", "x_2.nc"), join(data, "b", "deep", "z.nc")]);
  });

  it("reads projects from globs and .txt lists, with updates, removals and variables to keep", () => {
    const csv = join(data, "flock-1.csv");
    writeFileSync(csv, `proj_code,pattern,updates,removals\n# a comment\np-a,${join(data, "a", "x_*.nc")},upd.json,rem.json,tas,pr\n\np-b,b/list.txt\n`);
    const g = readGroupFile(csv, [data]);
    expect(g.name).toBe("flock-1");
    expect(g.projects).toHaveLength(2);
    expect(g.projects[0]).toMatchObject({ code: "p-a", line: 3, files: [join(data, "a", "x_1.nc"), join(data, "a", "x_2.nc")] });
    expect(g.projects[0]?.config).toEqual({ format: "kerchunk", updates: { title: "new", version: 2 }, removals: ["history"], keepVars: ["tas", "pr"] });
    expect(g.projects[1]).toMatchObject({ code: "p-b", line: 5, files: [join(data, "a", "x_1.nc"), join(data, "b", "deep", "z.nc")] });
  });

  it("reports every bad line at once, each with its number", () => {
    const csv = join(data, "bad.csv");
    writeFileSync(
      csv,
      [
        `ok,${join(data, "a", "x_1.nc")}`,
        `missing,${join(data, "a", "nope.nc")}`,
        `bad name!,${join(data, "a", "x_1.nc")}`,
        `link,${join(data, "a", "link.nc")}`,
        `upd,${join(data, "a", "x_1.nc")},nothere.json`,
      ].join("\n"),
    );
    let message = "";
    try {
      readGroupFile(csv, [data]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("has 4 problems");
    expect(message).toContain("bad.csv line 2: 1 file does not exist");
    expect(message).toContain("bad.csv line 3: project code \"bad name!\" must start with a letter or digit");
    expect(message).toMatch(/bad\.csv line 4: .*link\.nc \(links to .*secret\.nc\) is outside the allowed data roots/);
    expect(message).toContain("bad.csv line 5: updates file");
  });

  it("says so when the file does not exist or lists nothing", () => {
    expect(() => readGroupFile(join(data, "absent.csv"), [data])).toThrow(/group file .*absent\.csv does not exist/);
    const empty = join(data, "empty.csv");
    writeFileSync(empty, "project_code,pattern\n");
    expect(() => readGroupFile(empty, [data])).toThrow(/lists no projects/);
  });
});
