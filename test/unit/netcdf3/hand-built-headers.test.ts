import { describe, expect, it } from "vitest";
import { memorySource } from "../../../shared/src/formats/byte-source.js";
import type { ByteSource } from "../../../shared/src/formats/byte-source.js";
import type { FileLayout } from "../../../shared/src/formats/layout.js";
import { Netcdf3FormatError, readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { HeaderBuilder } from "./header-builder.js";
import type { Version } from "./header-builder.js";

const NC_CHAR = 2;
const NC_SHORT = 3;
const NC_INT = 4;
const NC_UBYTE = 7;
const PATH = "/archive/hand-built.nc";

const read = (bytes: Uint8Array): FileLayout => readNetcdf3Layout(memorySource(bytes, PATH));

function failure(bytes: Uint8Array): Netcdf3FormatError {
  try {
    read(bytes);
  } catch (error) {
    if (error instanceof Netcdf3FormatError) return error;
    throw error;
  }
  throw new Error("expected a Netcdf3FormatError");
}

/** Builds a header twice: once to learn its length, then with the data starting right after it. */
function withData(make: (begin: number) => HeaderBuilder, dataBytes: number): Uint8Array {
  return make(make(0).length).build(dataBytes);
}

/** One short record variable s(time, n=3): 6 bytes per record, with the given numrecs field. */
const oneShortRecordVar = (version: Version, numrecs: number | bigint) => (begin: number) =>
  new HeaderBuilder(version)
    .numrecs(numrecs)
    .dims(["time", 0], ["n", 3])
    .noAttrs()
    .vars(1)
    .variable("s", [0, 1], NC_SHORT, 8, begin);

describe("hand-built headers: structure the reference library would reject", () => {
  it("rejects a variable that names a dimension id the file does not have", () => {
    const bytes = withData((b) => new HeaderBuilder(1).u32(0).dims(["n", 2]).noAttrs().vars(1).variable("v", [3], NC_INT, 8, b), 8);
    expect(failure(bytes).message).toMatch(/variable "v" refers to dimension id 3 but the file has 1 dimensions/);
  });

  it("rejects the record dimension on any axis but the first", () => {
    const bytes = withData((b) => new HeaderBuilder(1).u32(1).dims(["n", 2], ["time", 0]).noAttrs().vars(1).variable("v", [0, 1], NC_INT, 8, b), 8);
    expect(failure(bytes).message).toMatch(/record dimension "time" on axis 1/);
  });

  it("rejects two record dimensions", () => {
    const bytes = new HeaderBuilder(1).u32(0).dims(["a", 0], ["b", 0]).noAttrs().vars(0).build();
    expect(failure(bytes).message).toMatch(/at most one record.*"a", "b"/);
  });

  it("rejects a variable whose data would begin inside the header", () => {
    const bytes = new HeaderBuilder(2).u32(0).dims(["n", 2]).noAttrs().vars(1).variable("v", [0], NC_INT, 8, 16).build(64);
    const e = failure(bytes);
    expect(e.message).toMatch(/variable "v" begins at byte 16, inside the header/);
    expect(e.message).toContain(PATH);
  });

  it("rejects an unknown nc_type, and CDF-5 types in a classic file", () => {
    const unknown = withData((b) => new HeaderBuilder(1).u32(0).dims(["n", 2]).noAttrs().vars(1).variable("v", [0], 12, 8, b), 8);
    expect(failure(unknown).message).toMatch(/expected an nc_type 1 to 6 .* for variable "v" but found 12/);
    const ubyte = withData((b) => new HeaderBuilder(2).u32(0).dims(["n", 2]).noAttrs().vars(1).variable("v", [0], NC_UBYTE, 4, b), 4);
    expect(failure(ubyte).message).toMatch(/found 7/);
  });

  it("fails fast, as truncated, on a count larger than the file could hold", () => {
    const bytes = new HeaderBuilder(1).u32(0).u32(0x0a).u32(0x7fff_ffff).build(16);
    const e = failure(bytes);
    expect(e.message).toMatch(/truncated: expected 2147483647 dimensions/);
    expect(e.offset).toBe(16);
  });

  it("rejects a CDF-5 count beyond 2^53", () => {
    const bytes = new HeaderBuilder(5).u64(0).u32(0x0a).u64(1n << 60n).build(16);
    expect(failure(bytes).message).toMatch(/the number of dimensions is 1152921504606846976, larger than any real file allows \(at byte 16\)/);
  });

  it("rejects a list tag that does not match its list", () => {
    const bytes = new HeaderBuilder(1).u32(0).u32(0x0b).u32(1).build(32);
    expect(failure(bytes).message).toMatch(/expected the dimension list tag 0x0000000a or ABSENT but found 0x0000000b \(at byte 8\)/);
  });
});

describe("hand-built headers: valid corners", () => {
  it("accepts empty lists written with their tag instead of ABSENT", () => {
    const bytes = new HeaderBuilder(1).u32(0).u32(0x0a).u32(0).u32(0x0c).u32(0).u32(0x0b).u32(0).build();
    expect(read(bytes)).toMatchObject({ dimensions: [], attributes: {}, variables: [] });
  });

  it("keeps an attribute named __proto__ as data and reads an empty numeric attribute as []", () => {
    const bytes = new HeaderBuilder(1).u32(0).dims().attrs(["__proto__", NC_CHAR, [0x78], 1], ["none", NC_INT, [], 0]).vars(0).build();
    const attrs = read(bytes).attributes;
    expect(Object.keys(attrs)).toEqual(["__proto__", "none"]);
    expect(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value).toBe("x");
    expect(attrs["none"]).toEqual([]);
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
  });

  it("decodes UTF-8 names", () => {
    const bytes = withData((b) => new HeaderBuilder(1).u32(0).dims(["Zeit", 1]).noAttrs().vars(1).variable("température", [0], NC_INT, 4, b), 4);
    const [v] = read(bytes).variables;
    expect(v).toMatchObject({ name: "température", path: "/température", dimensions: ["Zeit"] });
  });

  it("uses the numrecs of the header even when the file holds more records", () => {
    const bytes = withData(oneShortRecordVar(1, 2), 6 * 4);
    expect(read(bytes).variables[0]?.storage).toMatchObject({ kind: "records", count: 2, stride: 6 });
  });
});

describe("hand-built headers: STREAMING record counts", () => {
  it.each([1, 2, 5] as const)("counts only whole records of a single record variable (CDF-%i)", (version) => {
    const streaming = version === 5 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffff;
    const bytes = withData(oneShortRecordVar(version, streaming), 6 * 3 + 4);
    const layout = read(bytes);
    expect(layout.dimensions[0]).toEqual({ name: "time", size: 3, unlimited: true });
    expect(layout.variables[0]?.shape).toEqual([3, 3]);
    expect(layout.variables[0]?.storage).toMatchObject({ kind: "records", count: 3, stride: 6, length: 6 });
  });

  it("gives a streaming file without record variables zero records", () => {
    const bytes = new HeaderBuilder(1).u32(0xffff_ffff).dims(["time", 0]).noAttrs().vars(0).build(100);
    expect(read(bytes).dimensions).toEqual([{ name: "time", size: 0, unlimited: true }]);
  });

  it("gives a streaming file whose records have not started yet zero records, and unallocated storage", () => {
    const bytes = withData(oneShortRecordVar(2, 0xffff_ffff), 5);
    expect(read(bytes).variables[0]).toMatchObject({ shape: [0, 3], storage: { kind: "unallocated" } });
  });
});

describe("reading touches only the header", () => {
  it("never asks the source for bytes past the end of the header", async () => {
    const { openFileSource } = await import("../../../shared/src/formats/byte-source.js");
    const { fixturePath } = await import("./truth.js");
    for (const fixture of ["classic.cf-typical.nc", "cdf5.uint64.nc", "classic.streaming.mixed-record-vars.nc"]) {
      const inner = openFileSource(fixturePath(fixture));
      let furthest = 0;
      const spy: ByteSource = {
        path: inner.path,
        size: inner.size,
        get bytesRead() {
          return inner.bytesRead;
        },
        read(offset, length) {
          furthest = Math.max(furthest, offset + length);
          return inner.read(offset, length);
        },
        close: () => inner.close(),
      };
      try {
        const layout = readNetcdf3Layout(spy);
        const firstData = Math.min(
          ...layout.variables.map((v) => (v.storage.kind === "contiguous" || v.storage.kind === "records" ? v.storage.offset : Infinity)),
        );
        expect(furthest, fixture).toBeLessThanOrEqual(firstData);
      } finally {
        spy.close();
      }
    }
  });
});
