// Every dataset of every fixture against the ground truth h5py and ncdump wrote for it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFileSource, type ByteSource } from "../../../shared/src/formats/byte-source.js";
import type { FileLayout, VariableLayout } from "../../../shared/src/formats/layout.js";
import { Hdf5UnsupportedError, readHdf5Layout } from "../../../shared/src/formats/hdf5/index.js";
import {
  FIXTURES,
  NOT_A_VARIABLE,
  actualChunks,
  expectedChunks,
  hex,
  jsonNumber,
  loadTruth,
  normaliseAttributes,
  truthFixtures,
  userFloatAttributes,
  userTruthAttributes,
  type Truth,
  type TruthDataset,
} from "./truth.js";

/** Fixtures the reader refuses on purpose, with the feature it names. */
const REFUSED: Record<string, RegExp> = {
  "h5py.sohm.shared-messages.h5": /SOHM/,
  "h5py.virtual.vds.h5": /virtual dataset layout/,
};

const readable = truthFixtures().filter((f) => !(f in REFUSED));

function isDimensionOnly(t: TruthDataset): boolean {
  const name = t.attrs["NAME"];
  return t.attrs["CLASS"] === "DIMENSION_SCALE" && typeof name === "string" && name.startsWith(NOT_A_VARIABLE);
}

describe.each(readable)("the layout of %s", (fixture) => {
  let truth: Truth;
  let source: ByteSource;
  let layout: FileLayout;
  let byPath: Map<string, VariableLayout>;

  beforeAll(() => {
    truth = loadTruth(fixture);
    source = openFileSource(FIXTURES + fixture);
    layout = readHdf5Layout(source);
    byPath = new Map(layout.variables.map((v) => [v.path, v]));
  });
  afterAll(() => source.close());

  const each = (fn: (path: string, t: TruthDataset, v: VariableLayout) => void): void => {
    for (const [path, t] of Object.entries(truth.datasets)) {
      if (isDimensionOnly(t)) continue;
      const v = byPath.get(path);
      expect(v, `${path} is reported`).toBeDefined();
      fn(path, t, v as VariableLayout);
    }
  };

  it("describes the file as HDF5 with its path and size", () => {
    expect(layout.format).toBe("hdf5");
    expect(layout.path).toBe(FIXTURES + fixture);
    expect(layout.size).toBe(truth.size);
  });

  it("reports every hard-linked dataset once per path, and netCDF dimension-only scales not as variables", () => {
    const expected = Object.entries(truth.datasets)
      .filter(([, t]) => !isDimensionOnly(t))
      .map(([p]) => p)
      .sort();
    expect(layout.variables.map((v) => v.path).sort()).toEqual(expected);
    for (const v of layout.variables) expect(v.name).toBe(v.path.split("/").pop());
  });

  it("lists every group below the root", () => {
    expect(layout.groups.map((g) => g.path).sort()).toEqual([...truth.groups].sort());
  });

  it("matches shape, maximum shape, type string and chunk shape of every dataset", () => {
    each((path, t, v) => {
      expect({ path, shape: v.shape, maxShape: v.maxShape, typestr: v.dtype.typestr, chunks: v.chunkShape }).toEqual({
        path,
        shape: t.shape,
        maxShape: t.maxshape,
        typestr: t.dtype,
        chunks: t.chunks,
      });
    });
  });

  it("matches the filter pipeline of every dataset (ids, names, client data, optional flag)", () => {
    each((path, t, v) => {
      const expected = t.filters.map((f) => ({
        id: f.id,
        name: f.name,
        clientData: f.cd_values,
        optional: (f.flags & 1) === 1,
      }));
      expect({ path, filters: v.filters }).toEqual({ path, filters: expected });
    });
  });

  it("decodes the stored fill value of every dataset, or null when none is defined", () => {
    each((path, t, v) => {
      const actual = typeof v.storedFillValue === "number" ? jsonNumber(v.storedFillValue) : v.storedFillValue;
      expect({ path, fill: actual }).toEqual({ path, fill: t.fillvalue });
    });
  });

  it("locates contiguous and compact data exactly, and reports unallocated storage", () => {
    each((path, t, v) => {
      if (t.layout === "contiguous") {
        const expected = t.contiguous
          ? { kind: "contiguous", offset: t.contiguous.offset, length: t.contiguous.size }
          : { kind: "unallocated" };
        expect({ path, storage: v.storage }).toEqual({ path, storage: expected });
      } else if (t.layout === "compact") {
        expect(v.storage.kind, path).toBe("compact");
        if (v.storage.kind === "compact") expect(hex(v.storage.data), path).toBe(t.compact_hex);
      }
    });
  });

  it("lists every stored chunk with its grid index, file offset, length and filter mask", () => {
    each((path, t, v) => {
      if (t.layout !== "chunked") return;
      const expected = expectedChunks(t);
      if (expected.length === 0 && v.storage.kind === "unallocated") return;
      expect(v.storage.kind, path).toBe("chunked");
      expect({ path, chunks: actualChunks(v) }).toEqual({ path, chunks: expected });
    });
  });

  it("decodes user attributes of every dataset and hides library internals", () => {
    each((path, t, v) => {
      const expected = userTruthAttributes(t.attrs);
      expect({ path, attributes: normaliseAttributes(v.attributes) }).toEqual({ path, attributes: expected });
    });
  });

  it("decodes the root group's attributes as the global attributes", () => {
    expect(normaliseAttributes(layout.attributes)).toEqual(userTruthAttributes(truth.root_attrs));
  });

  it("names the attributes stored as floating point, for the file and every dataset", () => {
    expect([...(layout.floatAttributes ?? [])].sort()).toEqual(userFloatAttributes(truth.root_float_attrs));
    each((path, t, v) => {
      const expected = userFloatAttributes(t.float_attrs);
      expect({ path, floats: [...(v.floatAttributes ?? [])].sort() }).toEqual({ path, floats: expected });
    });
  });

  it("names each variable's dimensions as ncdump does", () => {
    if (!truth.ncdump) return;
    const dims = truth.ncdump.variables;
    for (const v of layout.variables) {
      const expected = dims[v.path];
      expect(expected, `${v.path} is a netCDF variable`).toBeDefined();
      expect({ path: v.path, dimensions: v.dimensions }).toEqual({ path: v.path, dimensions: expected });
    }
  });

  it("lists the file's dimensions with their groups, sizes and unlimited flags as ncdump does", () => {
    if (!truth.ncdump) return;
    const key = (d: { name: string; size: number; unlimited: boolean; group?: string | undefined }): string =>
      `${d.group ?? "/"}:${d.name}=${d.size}${d.unlimited ? "*" : ""}`;
    expect(layout.dimensions.map(key).sort()).toEqual(truth.ncdump.dimensions.map(key).sort());
  });

  it("marks exactly the dimension-scale variables as coordinates", () => {
    each((path, t, v) => {
      const scale = t.attrs["CLASS"] === "DIMENSION_SCALE";
      expect({ path, isCoordinate: v.isCoordinate }).toEqual({ path, isCoordinate: scale });
    });
  });
});

describe.each(Object.entries(REFUSED))("a file the reader refuses: %s", (fixture, feature) => {
  it("raises Hdf5UnsupportedError naming the feature and the file", () => {
    const source = openFileSource(FIXTURES + fixture);
    try {
      expect(() => readHdf5Layout(source)).toThrowError(Hdf5UnsupportedError);
      expect(() => readHdf5Layout(source)).toThrowError(feature);
      expect(() => readHdf5Layout(source)).toThrowError(fixture);
    } finally {
      source.close();
    }
  });
});
