// netCDF-4 semantics spelled out on the netCDF-C, h5py and h5wasm fixtures (the truth-driven
// tests check everything; these name the behaviours that matter to the pipeline).

import { beforeAll, describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import type { FileLayout, VariableLayout } from "../../../shared/src/formats/layout.js";
import { readHdf5Layout } from "../../../shared/src/formats/hdf5/index.js";
import { FIXTURES } from "./truth.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ncgen, ncgenAvailable } from "../../helpers/ncgen.js";

function read(name: string): FileLayout {
  const source = openFileSource(FIXTURES + name);
  try {
    return readHdf5Layout(source);
  } finally {
    source.close();
  }
}

function variable(layout: FileLayout, path: string): VariableLayout {
  const v = layout.variables.find((x) => x.path === path);
  if (!v) throw new Error(`${path} not found`);
  return v;
}

describe("a netCDF-C (ncgen -k nc4) file", () => {
  let layout: FileLayout;
  beforeAll(() => {
    layout = read("nc4.full.time-unlimited.deflate-fletcher32.groups.nc");
  });

  it("treats dimension-only datasets as dimensions, not variables", () => {
    const paths = layout.variables.map((v) => v.path);
    for (const p of ["/nv", "/strlen", "/sub/x"]) expect(paths).not.toContain(p);
    expect(layout.dimensions).toEqual(
      expect.arrayContaining([
        { name: "nv", size: 2, unlimited: false, group: "/" },
        { name: "strlen", size: 5, unlimited: false, group: "/" },
        { name: "x", size: 3, unlimited: false, group: "/sub" },
        { name: "time", size: 4, unlimited: true, group: "/" },
      ]),
    );
  });

  it("marks coordinate variables and names every axis without group prefixes", () => {
    expect(variable(layout, "/lat").isCoordinate).toBe(true);
    expect(variable(layout, "/tas").isCoordinate).toBe(false);
    expect(variable(layout, "/tas").dimensions).toEqual(["time", "lat", "lon"]);
    expect(variable(layout, "/sub/w").dimensions).toEqual(["x", "lat"]);
    expect(variable(layout, "/sub/deeper/y").dimensions).toEqual(["nv"]);
    // ncdump: "group: sub { … // group attributes: :group_att = "in sub" ; group: deeper { … } }".
    expect(layout.groups).toEqual([
      { path: "/sub", attributes: { group_att: "in sub" }, floatAttributes: [] },
      { path: "/sub/deeper", attributes: {}, floatAttributes: [] },
    ]);
  });

  it("reports deflate and shuffle with their client data, and the chunk grid of an unlimited variable", () => {
    const tas = variable(layout, "/tas");
    expect(tas.filters.map((f) => [f.id, f.name, f.clientData])).toEqual([
      [2, "shuffle", [4]],
      [1, "deflate", [4]],
    ]);
    expect(tas.maxShape).toEqual([null, 6, 8]);
    expect(tas.chunkShape).toEqual([2, 3, 4]);
    if (tas.storage.kind !== "chunked") throw new Error("tas is chunked");
    expect(tas.storage.chunks.map((c) => c.index)).toHaveLength(2 * 2 * 2);
    expect(tas.storage.chunks[0]?.index).toEqual([0, 0, 0]);
    expect(tas.storage.chunks.at(-1)?.index).toEqual([1, 1, 1]);
  });

  it("stores the implicit netCDF fill value for a variable without _FillValue", () => {
    expect(variable(layout, "/nofill").storedFillValue).toBe(-32767);
    expect(variable(layout, "/nofill").attributes).not.toHaveProperty("_FillValue");
    expect(variable(layout, "/count").storedFillValue).toBe(-999);
    expect(variable(layout, "/count").attributes["_FillValue"]).toBe(-999);
  });

  it("reports variables that were never written as unallocated", () => {
    expect(variable(layout, "/never").storage).toEqual({ kind: "unallocated" });
    expect(variable(layout, "/never_fixed").storage).toEqual({ kind: "unallocated" });
  });

  it("decodes char variables as fixed strings and string variables as variable-length", () => {
    expect(variable(layout, "/label").dtype).toEqual({ kind: "char", typestr: "|S1", size: 1 });
    expect(variable(layout, "/names").dtype.kind).toBe("vlen-string");
    expect(variable(layout, "/names").dtype.typestr).toBe("|O");
  });

  it("decodes global attributes of every type, empty strings included, and hides _NCProperties", () => {
    expect(layout.attributes).toMatchObject({
      title: "netCDF-C fixture",
      history: "created by make-fixtures.sh",
      empty: "",
      empty_string: "",
      int_att: 42,
      short_att: -3,
      byte_att: -7,
      ushort_att: 65000,
      uint_att: 4000000000,
      int64_att: -9007199254740991,
      float_list: [1.5, 2.5, 3.5],
      string_list: ["a", "bb", "ccc"],
    });
    expect(layout.attributes).not.toHaveProperty("_NCProperties");
    expect(variable(layout, "/lat").attributes).toEqual({ units: "degrees_north", standard_name: "latitude" });
  });
});

describe.skipIf(!ncgenAvailable())("an unlimited dimension without a coordinate variable", () => {
  it("is as long as its longest variable, as ncdump reports it (its dimension scale stays empty)", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-unlimited-"));
    try {
      const path = ncgen(join(dir, "f.nc"), "netcdf f {\ndimensions:\n  time = UNLIMITED ;\n  lat = 2 ;\nvariables:\n  float tas(time, lat) ;\n  int n(time) ;\ndata:\n  tas = 1, 2, 3, 4, 5, 6 ;\n  n = 1, 2 ;\n}\n");
      const header = spawnSync("ncdump", ["-h", path], { encoding: "utf8" }).stdout;
      const current = Number(/time = UNLIMITED ; \/\/ \((\d+) currently\)/.exec(header)?.[1]);
      expect(current).toBe(3);
      const source = openFileSource(path);
      try {
        const layout = readHdf5Layout(source);
        expect(layout.dimensions.find((d) => d.name === "time")).toMatchObject({ size: current, unlimited: true });
        expect(variable(layout, "/tas").shape).toEqual([current, 2]);
      } finally {
        source.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("files without netCDF dimensions", () => {
  it("invents netCDF-C's phony dimensions, reusing a group dimension of the same size", () => {
    const layout = read("h5py.default.mixed.h5");
    expect(variable(layout, "/plain40").dimensions).toEqual(["x"]);
    expect(variable(layout, "/never_written").dimensions).toEqual(["phony_dim_11", "phony_dim_12"]);
    expect(variable(layout, "/grp/sub/nested").dimensions).toEqual(["phony_dim_2", "phony_dim_3"]);
    expect(variable(layout, "/scalar").dimensions).toEqual([]);
  });

  it("names a dimension scale after its dataset, as netCDF-C does, even when NAME differs", () => {
    const layout = read("h5py.default.mixed.h5");
    expect(variable(layout, "/chunked").dimensions).toEqual(["x", "y"]);
  });

  it("skips soft and external links and committed datatypes", () => {
    const layout = read("h5py.default.committed-dtype.h5");
    expect(layout.variables.map((v) => v.path).sort()).toEqual(["/fill_str", "/fill_vlen", "/uses_named"]);
    expect(variable(layout, "/uses_named").attributes).toEqual({ named_attr: 5 });
    expect(variable(layout, "/fill_str").storedFillValue).toBe("xy");
  });
});

describe("a file written by h5wasm", () => {
  let layout: FileLayout;
  beforeAll(() => {
    layout = read("h5wasm.scales.gzip.h5");
  });

  it("reads its scales as dimensions and its typed-array attributes as numbers", () => {
    const tas = variable(layout, "/tas");
    expect(tas.dimensions).toEqual(["time", "lat", "lon"]);
    expect(tas.attributes["_FillValue"]).toBeCloseTo(1e20, -13);
    expect(tas.attributes["valid_range"]).toEqual([150, 350]);
    expect(tas.filters[0]).toMatchObject({ id: 1, clientData: [5] });
    expect(layout.attributes).toEqual({ title: "written by h5wasm", version: 3 });
  });
});
