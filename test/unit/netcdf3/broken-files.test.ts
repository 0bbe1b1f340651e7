import { describe, expect, it } from "vitest";
import { TruncatedFileError, openFileSource } from "../../../shared/src/formats/byte-source.js";
import { Netcdf3FormatError, isNetcdf3, readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { fixturePath } from "./truth.js";

function errorFrom(fixture: string): unknown {
  const source = openFileSource(fixturePath(fixture));
  try {
    readNetcdf3Layout(source);
  } catch (error) {
    return error;
  } finally {
    source.close();
  }
  throw new Error(`${fixture} was read without an error`);
}

describe("unreadable files fail with a Netcdf3FormatError that names the file, the offset and the fix", () => {
  it.each([
    ["broken.truncated-header.nc", /header is truncated.*at byte \d+.*re-copy/],
    ["broken.wrong-magic.nc", /expected the magic "CDF".*found 43 44 46 03.*at byte 0/],
    ["broken.hdf5-signature.nc", /found 89 48 44 46.*at byte 0.*HDF5/],
    ["broken.random-bytes.nc", /expected the magic "CDF"/],
    ["broken.two-bytes.nc", /only 2 bytes.*re-copy/],
    ["broken.cdf1-magic-then-random.nc", /at byte \d+/],
  ])("%s", (fixture, message) => {
    const error = errorFrom(fixture);
    expect(error).toBeInstanceOf(Netcdf3FormatError);
    expect(error).not.toBeInstanceOf(TruncatedFileError);
    const e = error as Netcdf3FormatError;
    expect(e.name).toBe("Netcdf3FormatError");
    expect(e.message).toContain(fixturePath(fixture));
    expect(e.path).toBe(fixturePath(fixture));
    expect(e.message).toMatch(message);
  });

  it("reports where a truncated header stops", () => {
    const e = errorFrom("broken.truncated-header.nc") as Netcdf3FormatError;
    expect(e.offset).toBeGreaterThan(4);
    expect(e.offset).toBeLessThanOrEqual(100);
    expect(e.message).toContain("the file ends at byte 100");
  });
});

describe("isNetcdf3", () => {
  it.each([
    ["classic.time-record.f4.nc", true],
    ["64bit-offset.fixed-and-record.nc", true],
    ["cdf5.uint64.nc", true],
    ["classic.empty.nc", true],
    ["broken.wrong-magic.nc", false],
    ["broken.hdf5-signature.nc", false],
    ["broken.random-bytes.nc", false],
    ["broken.two-bytes.nc", false],
  ])("says %s is netCDF classic: %s", (fixture, expected) => {
    const source = openFileSource(fixturePath(fixture));
    try {
      expect(isNetcdf3(source)).toBe(expected);
    } finally {
      source.close();
    }
  });
});
