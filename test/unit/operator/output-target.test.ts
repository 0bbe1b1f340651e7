import { describe, expect, it } from "vitest";
import { outputRefusal, type Existing } from "../../../services/cli/src/output-target.js";

// Where a one-shot command may write: the rule on its own, with what is on disk given.

const none: Existing = { kind: "none", parent: "/out", writableParent: true };
const dir = (files: string[], empty = false): Existing => ({ kind: "directory", files, empty, parent: "/out", writableParent: true });

describe("outputRefusal", () => {
  it("refuses an output that is, or holds, one of the inputs", () => {
    expect(outputRefusal("/d/a.nc", "json", ["/d/a.nc"], { kind: "file", parent: "/d", writableParent: true })).toContain("is one of the input files");
    expect(outputRefusal("/d", "zarr", ["/d/sub/a.nc"], dir([".zgroup"]))).toContain("holds the input file /d/sub/a.nc");
    // A sibling whose name merely starts the same is not inside.
    expect(outputRefusal("/d/x", "zarr", ["/d/x2/a.nc"], none)).toBeUndefined();
  });

  it("replaces only an earlier product of its kind, or an empty directory", () => {
    expect(outputRefusal("/o.zarr", "zarr", [], dir([".zgroup", ".zattrs", ".zmetadata"]))).toBeUndefined();
    expect(outputRefusal("/o.zarr", "zarr", [], dir([], true))).toBeUndefined();
    expect(outputRefusal("/o.zarr", "zarr", [], dir([".zgroup", "notes.txt"]))).toContain("it holds notes.txt");
    expect(outputRefusal("/o.zarr", "zarr", [], dir(["a.nc"]))).toContain("not a Zarr store");
    expect(outputRefusal("/o.parq", "parquet", [], dir([".zgroup"]))).toContain("no .zmetadata");
    expect(outputRefusal("/o.parq", "parquet", [], dir([".zmetadata"]))).toBeUndefined();
    expect(outputRefusal("/o.zarr", "zarr", [], { kind: "file", parent: "/", writableParent: true })).toContain("is a file");
    expect(outputRefusal("/o.json", "json", [], dir([".zgroup"]))).toContain("is a directory");
    expect(outputRefusal("/o.json", "json", [], { kind: "file", parent: "/", writableParent: true })).toBeUndefined();
  });

  it("refuses an output whose report would go where a directory stands, naming it", () => {
    expect(outputRefusal("/o.json", "json", [], none, ["/o.json.report.json"])).toContain("/o.json.report.json is a directory");
    expect(outputRefusal("/o.zarr", "zarr", [], none, [])).toBeUndefined();
  });

  it("refuses an output it could not write, naming the directory", () => {
    expect(outputRefusal("/ro/o.json", "json", [], { kind: "none", parent: "/ro", writableParent: false })).toContain("cannot write in /ro");
  });
});
