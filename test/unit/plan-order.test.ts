import { describe, expect, it } from "vitest";
import type { FileInfo, VariableInfo } from "../../shared/src/h5/describe.js";
import { planAggregation } from "../../shared/src/scan/plan.js";

// The plan compares every file with the first one listed, whatever order the files take along
// the concatenation dimension: a variable missing from the earliest file is a fatal issue that
// names the file, not a read of something the file does not hold.

function variable(name: string, dims: string[], shape: number[], isCoordinate = false): VariableInfo {
  return { name, path: `/${name}`, dimensions: dims, shape, unlimited: dims.map((d) => d === "time"), dtype: "<f8", kind: "float", chunks: null, filters: [], attributes: name === "time" ? { units: "days since 1850-01-01" } : {}, floatAttributes: [], isCoordinate };
}

function file(path: string, variables: VariableInfo[]): FileInfo {
  const dims = new Map<string, number>();
  for (const v of variables) v.dimensions.forEach((d, a) => dims.set(d, v.shape[a] ?? 0));
  return { path, size: 1, mtimeMs: 0, dimensions: [...dims].map(([name, size]) => ({ name, size, unlimited: name === "time" })), attributes: {}, floatAttributes: [], groups: [], variables };
}

const time = variable("time", ["time"], [2], true);
const lat = variable("lat", ["lat"], [3], true);
const lon = variable("lon", ["lon"], [4], true);
const tas = variable("tas", ["time", "lat", "lon"], [2, 3, 4]);
const height = variable("height", [], []);

/** Values as a reader gives them: a variable the file does not hold is an error, as in scanProject. */
function valuesOf(files: FileInfo[], firstTime: number[]) {
  return (i: number, v: VariableInfo): Float64Array => {
    const f = files[i] as FileInfo;
    if (!f.variables.some((x) => x.path === v.path)) throw new Error(`internal: ${f.path} has no ${v.path}`);
    if (v.name === "time") return Float64Array.of(firstTime[i] ?? 0, (firstTime[i] ?? 0) + 1);
    return Float64Array.from({ length: v.shape.reduce((p, n) => p * n, 1) }, (_, k) => k);
  };
}

describe("planning files listed out of time order", () => {
  it.each([
    ["a coordinate", "lat", [time, lon, tas]],
    ["a variable that does not span time", "height", [time, lat, lon, tas]],
  ] as const)("names %s the earliest file lacks, when it is listed second", (_, missing, earliestHolds) => {
    // Listed first: the later file (time 10, 11), holding everything; second: the earliest (0, 1).
    const files = [file("/d/later.nc", [time, lat, lon, tas, height]), file("/d/earliest.nc", [...earliestHolds])];
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk" }, values: valuesOf(files, [10, 0]) });
    expect(inventory.files.map((f) => f.path)).toEqual(["/d/earliest.nc", "/d/later.nc"]);
    expect(inventory.issues).toContainEqual(expect.objectContaining({ severity: "fatal", code: "missing_variable", variable: missing, file: "/d/earliest.nc" }));
  });

  it("names the concatenation coordinate a file lacks", () => {
    const files = [file("/d/a.nc", [time, lat, lon, tas]), file("/d/b.nc", [lat, lon, tas])];
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk", concatDim: "time" }, values: valuesOf(files, [0, 10]) });
    expect(inventory.issues).toContainEqual(expect.objectContaining({ severity: "fatal", code: "missing_variable", variable: "time", file: "/d/b.nc" }));
    // Its lack is the one problem: not also units that "differ" or values out of order.
    expect(inventory.issues.filter((i) => i.severity === "fatal").map((i) => i.code)).toEqual(["missing_variable"]);
  });

  it("names a file whose time holds its fill value, rather than calling the file out of order", () => {
    const filled = { ...time, attributes: { ...time.attributes, _FillValue: -1 } };
    const files = [file("/d/a.nc", [filled, lat, lon, tas]), file("/d/b.nc", [filled, lat, lon, tas])];
    const values = (i: number, v: VariableInfo) => (v.name === "time" && i === 1 ? Float64Array.of(10, -1) : valuesOf(files, [0, 10])(i, v));
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk" }, values });
    const fatal = inventory.issues.filter((i) => i.severity === "fatal");
    expect(fatal).toEqual([expect.objectContaining({ code: "missing_coordinate_value", file: "/d/b.nc", variable: "time" })]);
    expect(fatal[0]?.message).toContain("index 1");
  });

  it("reports a file whose time units cannot be re-encoded once, without comparing its raw times with the others'", () => {
    const other = { ...time, attributes: { units: "months since 1850-01-01" } };
    const files = [file("/d/a.nc", [time, lat, lon, tas]), file("/d/b.nc", [other, lat, lon, tas])];
    // b's raw times (0, 1) would "overlap" a's if compared in the wrong units.
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk" }, values: valuesOf(files, [0, 0]) });
    expect(inventory.issues.filter((i) => i.severity === "fatal").map((i) => i.code)).toEqual(["units_differ"]);
  });

  it("still finds nothing wrong in complete files listed out of order", () => {
    const files = [file("/d/later.nc", [time, lat, lon, tas, height]), file("/d/earliest.nc", [time, lat, lon, tas, height])];
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk" }, values: valuesOf(files, [10, 0]) });
    expect(inventory.issues.filter((i) => i.severity === "fatal")).toEqual([]);
    expect(inventory.identicalDims).toEqual(["lat", "lon"]);
  });
});

describe("naming files in the plan's messages", () => {
  it("uses the whole path where two files of the series share a base name, the base name elsewhere", () => {
    const narrow = variable("tas", ["time", "lat", "lon"], [2, 2, 4]);
    const files = [file("/x/data.nc", [time, lat, lon, tas]), file("/y/data.nc", [time, lat, lon, narrow]), file("/y/other.nc", [time, lat, lon, narrow])];
    const inventory = planAggregation({ project: "p", files, config: { format: "kerchunk" }, values: valuesOf(files, [0, 10, 20]) });
    const shapes = inventory.issues.filter((i) => i.code === "shape_mismatch").map((i) => i.message);
    expect(shapes).toContainEqual(expect.stringContaining("in /y/data.nc but [2,3,4] in /x/data.nc"));
    expect(shapes).toContainEqual(expect.stringContaining("in other.nc but [2,3,4] in /x/data.nc"));
  });
});
