import { describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import type { Storage, VariableLayout } from "../../../shared/src/formats/layout.js";
import { readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { fixturePath } from "./truth.js";

function variables(fixture: string): Map<string, VariableLayout> {
  const source = openFileSource(fixturePath(fixture));
  try {
    return new Map(readNetcdf3Layout(source).variables.map((v) => [v.name, v]));
  } finally {
    source.close();
  }
}

function records(v: VariableLayout | undefined): Extract<Storage, { kind: "records" }> {
  if (v?.storage.kind !== "records") throw new Error(`expected record storage, got ${JSON.stringify(v?.storage)}`);
  return v.storage;
}

describe("record strides follow the spec's padding rules", () => {
  it("packs the records of a single short record variable with an odd count per record (stride 6, not 8)", () => {
    const s = records(variables("64bit-offset.one-short-record-var.nc").get("s"));
    expect(s).toMatchObject({ stride: 6, length: 6, count: 5 });
  });

  it("packs the records of a single char record variable (stride 5)", () => {
    const name = records(variables("classic.one-char-record-var.nc").get("name"));
    expect(name).toMatchObject({ stride: 5, length: 5, count: 4 });
  });

  it("packs the records of a single byte record variable (stride 1)", () => {
    expect(records(variables("classic.one-byte-record-var.nc").get("flag"))).toMatchObject({ stride: 1, length: 1, count: 7 });
  });

  it("packs the records of a single ushort record variable in a CDF-5 file (stride 6)", () => {
    expect(records(variables("cdf5.one-ushort-record-var.nc").get("u"))).toMatchObject({ stride: 6, length: 6, count: 4 });
  });

  it("pads each slab to 4 bytes when there are several record variables, but reports unpadded lengths", () => {
    const vars = variables("classic.mixed-record-vars.nc");
    const expected: Record<string, [number, number]> = { i: [0, 4], d: [4, 8], b: [12, 3], s: [16, 6], c: [24, 5] };
    const first = records(vars.get("i")).offset;
    for (const [name, [at, length]] of Object.entries(expected)) {
      const r = records(vars.get(name));
      expect(r, name).toMatchObject({ stride: 32, length, count: 3 });
      expect(r.offset - first, name).toBe(at);
    }
  });

  it("gives fixed variables their unpadded data length even though vsize is padded", () => {
    const vars = variables("cdf5.uint64.nc");
    expect(vars.get("ub")?.storage).toMatchObject({ kind: "contiguous", length: 3 });
    expect(vars.get("us")?.storage).toMatchObject({ kind: "contiguous", length: 6 });
    expect(records(vars.get("rb"))).toMatchObject({ length: 3, stride: 8 + 4 + 4 });
  });
});
