import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import type { FileLayout } from "../../../shared/src/formats/layout.js";
import { readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { expectedAttributes, fixturePath, fixturesWithTruth, loadTruth, valuesAt } from "./truth.js";

function layoutOf(fixture: string): FileLayout {
  const source = openFileSource(fixturePath(fixture));
  try {
    return readNetcdf3Layout(source);
  } finally {
    source.close();
  }
}

const fixtures = fixturesWithTruth();

describe("readNetcdf3Layout agrees with libnetcdf (netCDF4-python) on every fixture", () => {
  it("has fixtures to check", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(16);
  });

  describe.each(fixtures)("%s", (fixture) => {
    const truth = loadTruth(fixture);
    const layout = layoutOf(fixture);
    const file = new Uint8Array(readFileSync(fixturePath(fixture)));

    it("reports the container format, path, file size and no groups", () => {
      expect(layout.format).toBe(truth.format);
      expect(layout.path).toBe(fixturePath(fixture));
      expect(layout.size).toBe(truth.size);
      expect(layout.groups).toEqual([]);
    });

    it("lists the dimensions in file order, the record dimension with its record count", () => {
      expect(layout.dimensions).toEqual(truth.dimensions);
    });

    it("decodes the global attributes in file order", () => {
      expect(layout.attributes).toEqual(expectedAttributes(truth.attributes));
      expect(Object.keys(layout.attributes)).toEqual(Object.keys(truth.attributes));
    });

    it("lists the variables in file order with path, dimensions, shape and type", () => {
      expect(layout.variables.map((v) => v.name)).toEqual(truth.variables.map((v) => v.name));
      for (const [i, t] of truth.variables.entries()) {
        const v = layout.variables[i];
        expect(v, t.name).toBeDefined();
        if (v === undefined) continue;
        expect(v.path).toBe(`/${t.name}`);
        expect(v.dimensions).toEqual(t.dimensions);
        expect(v.shape).toEqual(t.shape);
        expect(v.maxShape).toEqual(t.shape.map((n, axis) => (axis === 0 && t.record ? null : n)));
        expect(v.dtype).toEqual({ kind: t.kind, typestr: t.typestr, size: t.size });
        expect(v.chunkShape).toBeNull();
        expect(v.filters).toEqual([]);
        expect(v.storedFillValue).toBeNull();
        expect(v.isCoordinate).toBe(t.dimensions.length === 1 && t.dimensions[0] === t.name);
      }
    });

    it("decodes each variable's attributes, keeping _FillValue", () => {
      for (const [i, t] of truth.variables.entries()) {
        expect(layout.variables[i]?.attributes, t.name).toEqual(expectedAttributes(t.attributes));
      }
    });

    it("points each variable at bytes holding exactly its values", () => {
      for (const [i, t] of truth.variables.entries()) {
        const v = layout.variables[i];
        if (v === undefined) throw new Error(`missing ${t.name}`);
        const elements = t.shape.reduce((a, b) => a * b, 1);
        if (elements === 0) {
          expect(v.storage, t.name).toEqual({ kind: "unallocated" });
          continue;
        }
        expect(v.storage.kind, t.name).toBe(t.record ? "records" : "contiguous");
        expect(valuesAt(file, v.storage, t.typestr), t.name).toEqual(t.values);
      }
    });
  });
});
