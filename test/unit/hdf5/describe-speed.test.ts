import { describe, expect, it } from "vitest";
import { referenceKey, scalesFromDimensionList } from "../../../shared/src/h5/attached-scales.js";
import { readAttribute } from "../../../shared/src/h5/attribute-values.js";
import { describeFile } from "../../../shared/src/h5/describe.js";
import { loadHdf5, loadModule, openHdf5, type H5Dataset, type H5Group } from "../../../shared/src/h5/open.js";
import { checkByFile, type Box } from "../../../shared/src/validate/boxes.js";
import { FIXTURES } from "./truth.js";

// The validator's faster paths must read exactly what the slower ones read: attribute values
// decoded here against h5wasm's own `json_value`, and a brief description against the full one.

/** Fixtures h5wasm opens in reasonable time (the wide symbol table takes it minutes). */
const FILES = [
  "h5netcdf.dims.unlimited.nc",
  "nc4.classic-model.time-unlimited.nc",
  "nc4.full.time-unlimited.deflate-fletcher32.groups.nc",
  "h5py.default.committed-dtype.h5",
  "h5py.default.mixed.h5",
  "h5py.latest.dense-groups-attrs.h5",
  "h5py.latest.fixed-indexes.h5",
  "h5py.sohm.shared-messages.h5",
  "h5py.v108.sb2.h5",
  "h5wasm.scales.gzip.h5",
];

function outcome<T>(f: () => T): { ok: T } | { error: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("attribute values read call by call", () => {
  it.each(FILES)("%s: same values and metadata as h5wasm's Attribute", async (name) => {
    const lib = await loadHdf5();
    const calls = await loadModule();
    const file = await openHdf5(FIXTURES + name);
    try {
      const objects: Array<H5Group | H5Dataset> = [];
      const walk = (g: H5Group) => {
        objects.push(g);
        for (const key of g.keys()) {
          const child = g.get(key);
          if (child instanceof lib.Group) walk(child);
          else if (child instanceof lib.Dataset) objects.push(child);
        }
      };
      walk(file);
      for (const obj of objects) {
        const attrs = obj.attrs;
        for (const attrName of Object.keys(attrs)) {
          const at = `${obj.path}@${attrName}`;
          // h5wasm cannot read some types (float16): then both must fail alike.
          const expected = outcome(() => ({ value: attrs[attrName]?.json_value, metadata: attrs[attrName]?.metadata }));
          const got = outcome(() => readAttribute(calls, obj.file_id, obj.path, attrName, () => obj.get_attribute(attrName, true)));
          expect({ at, ...got }).toEqual({ at, ...expected });
        }
      }
    } finally {
      file.close();
    }
  });
});

describe("brief descriptions", () => {
  it.each(FILES)("%s: the full description but for the attributes and filters of variables left out", async (name) => {
    const path = FIXTURES + name;
    const file = await openHdf5(path);
    try {
      const full = await describeFile(file, path).catch((e: Error) => e);
      if (full instanceof Error) {
        // This file's root attributes are ones the library cannot read: so is a brief description.
        await expect(describeFile(file, path, { briefExcept: new Set() })).rejects.toThrow(/cannot read variable \/@/);
        return;
      }
      const keep = new Set(full.variables.filter((v) => v.isCoordinate).map((v) => v.name).slice(0, 1));
      const brief = await describeFile(file, path, { briefExcept: keep });
      const expected = {
        ...full,
        variables: full.variables.map((v) => (v.isCoordinate || keep.has(v.name) ? v : { ...v, filters: [], attributes: {}, floatAttributes: [], brief: true })),
      };
      expect(brief).toEqual(expected);
    } finally {
      file.close();
    }
  });
});

describe("scales attached to each axis, from DIMENSION_LIST read once", () => {
  /** Every dataset of a file, by path. */
  const datasets = async (name: string) => {
    const lib = await loadHdf5();
    const file = await openHdf5(FIXTURES + name);
    const found: Array<{ path: string; ds: H5Dataset }> = [];
    const walk = (g: H5Group, prefix: string) => {
      for (const key of g.keys()) {
        const child = g.get(key);
        if (child instanceof lib.Group) walk(child, `${prefix}${key}/`);
        else if (child instanceof lib.Dataset) found.push({ path: `${prefix}${key}`, ds: child });
      }
    };
    walk(file, "/");
    return { file, found };
  };

  it.each(FILES)("%s: the scale the library attaches to each axis", async (name) => {
    const calls = await loadModule();
    const { file, found } = await datasets(name);
    try {
      // References of every dataset, as describeFile makes them of its scales.
      const refs = new Map(found.map(({ path }) => [referenceKey(calls.create_object_reference(file.file_id, path)), path]));
      let listed = 0;
      for (const { path, ds } of found) {
        if (!calls.get_attribute_names(file.file_id, path).includes("DIMENSION_LIST")) continue;
        const rank = ds.metadata.shape?.length ?? 0;
        const fromLibrary = Array.from({ length: rank }, (_, axis) => ds.get_attached_scales(axis)[0] ?? null);
        const fromList = scalesFromDimensionList(ds.get_attribute("DIMENSION_LIST", true), rank, refs);
        expect({ path, scales: fromList }).toEqual({ path, scales: fromLibrary });
        listed++;
      }
      // The netCDF-4 fixtures have variables along named dimensions: the list was read for them.
      if (name.endsWith(".nc")) expect(listed).toBeGreaterThan(0);
    } finally {
      file.close();
    }
  });

  it("leaves to the library a list of another shape or naming an object it does not know", () => {
    const ref = (...bytes: number[]) => ({ ref_data: Uint8Array.from(bytes) });
    const scales = new Map([[referenceKey([1, 0]), "/time"], [referenceKey([2, 0]), "/lat"]]);
    expect(scalesFromDimensionList([[ref(1, 0)], [], [ref(2, 0), ref(1, 0)]], 3, scales)).toEqual(["/time", null, "/lat"]);
    expect(scalesFromDimensionList([[ref(1, 0)], [ref(2, 0)]], 3, scales)).toBeUndefined();
    expect(scalesFromDimensionList([[ref(1, 0)], [ref(3, 0)]], 2, scales)).toBeUndefined();
    expect(scalesFromDimensionList([[ref(1, 0)], "lat"], 2, scales)).toBeUndefined();
    expect(scalesFromDimensionList([[{ ref_data: [1, 0] }]], 1, scales)).toBeUndefined();
    expect(scalesFromDimensionList("DIMENSION_LIST", 1, scales)).toBeUndefined();
  });
});

describe("checkByFile", () => {
  it("checks each file's boxes together and returns the results in the lists' shape", async () => {
    const box = (file: number): Box => ({ file, start: [file], stop: [file + 1], at: 0 });
    const lists = [[box(0), box(2), box(1)], [], [box(1), box(0)]];
    const files: number[] = [];
    const results = await checkByFile(lists, async (list, b) => {
      files.push(b.file);
      return `${list}:${b.file}`;
    });
    expect(results).toEqual([["0:0", "0:2", "0:1"], [], ["2:1", "2:0"]]);
    // Every file's boxes one after another: each file is visited once.
    expect(files.filter((f, i) => f !== files[i - 1])).toHaveLength(3);
  });
});
