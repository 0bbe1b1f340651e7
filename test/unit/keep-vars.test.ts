import { describe, expect, it } from "vitest";
import type { FileInfo, VariableInfo } from "../../shared/src/h5/describe.js";
import { namedIn, planAggregation } from "../../shared/src/scan/plan.js";

// keep_vars keeps what CF says the kept variables refer to: an aggregation of tas alone still
// carries its grid mapping and its cell measures (CF conventions §5.6 and §7.2).

function variable(name: string, dims: string[], attributes: VariableInfo["attributes"] = {}): VariableInfo {
  return { name, path: `/${name}`, dimensions: dims, shape: dims.map((d) => (d === "time" ? 2 : 3)), unlimited: dims.map((d) => d === "time"), dtype: "<f4", kind: "float", chunks: null, filters: [], attributes, floatAttributes: [], isCoordinate: dims.length === 1 && dims[0] === name };
}

const vars = [
  variable("time", ["time"], { units: "days since 2000-01-01" }),
  variable("x", ["x"]),
  variable("tas", ["time", "x"], { grid_mapping: "crs", cell_measures: "area: areacella" }),
  variable("uas", ["time", "x"], { grid_mapping: "rotated: x lambert: x" }),
  variable("crs", []),
  variable("rotated", []),
  variable("lambert", []),
  variable("areacella", ["x"]),
  variable("area", ["x"]),
  variable("pr", ["time", "x"]),
];
const file: FileInfo = { path: "/d/a.nc", size: 1, mtimeMs: 0, dimensions: [{ name: "time", size: 2, unlimited: true }, { name: "x", size: 3, unlimited: false }], attributes: {}, floatAttributes: [], groups: [], variables: vars };
const values = (_i: number, v: VariableInfo) => Float64Array.from({ length: v.shape.reduce((p, n) => p * n, 1) }, (_, k) => k);

describe("keep_vars", () => {
  it("reads the names CF attributes hold, in their short and extended forms", () => {
    expect(namedIn("grid_mapping", "crs")).toEqual(["crs"]);
    expect(namedIn("grid_mapping", "rotated: rlat rlon lambert: x y")).toEqual(["rotated", "rlat", "rlon", "lambert", "x", "y"]);
    expect(namedIn("cell_measures", "area: areacella volume: volcello")).toEqual(["areacella", "volcello"]);
    expect(namedIn("coordinates", " lat  lon ")).toEqual(["lat", "lon"]);
  });

  it("keeps the grid mapping and the cell measures of the variables it names, and nothing else", () => {
    const keep = (keepVars: string[]) => planAggregation({ project: "p", files: [file], config: { format: "kerchunk", keepVars }, values }).variables.map((v) => v.name).sort();
    expect(keep(["tas"])).toEqual(["areacella", "crs", "tas", "time", "x"]);
    expect(keep(["uas"])).toEqual(["lambert", "rotated", "time", "uas", "x"]);
  });
});
