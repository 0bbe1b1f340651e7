import { describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import type { FileLayout } from "../../../shared/src/formats/layout.js";
import { readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { fixturePath } from "./truth.js";

function layoutOf(fixture: string): FileLayout {
  const source = openFileSource(fixturePath(fixture));
  try {
    return readNetcdf3Layout(source);
  } finally {
    source.close();
  }
}

/** Everything but the path and size, which differ between a file and its streaming copy. */
const content = (l: FileLayout): Omit<FileLayout, "path" | "size"> => {
  const { path: _path, size: _size, ...rest } = l;
  return rest;
};

describe("a STREAMING numrecs is replaced by the record count the file size implies", () => {
  it.each([
    ["classic.streaming.mixed-record-vars.nc", "classic.mixed-record-vars.nc", 3],
    ["classic.streaming.unpadded-tail.nc", "classic.mixed-record-vars.nc", 3],
    ["64bit-offset.streaming.one-short-record-var.nc", "64bit-offset.one-short-record-var.nc", 5],
    ["cdf5.streaming.uint64.nc", "cdf5.uint64.nc", 3],
  ])("reads %s exactly like %s (%i records)", (streaming, original, numrecs) => {
    const s = layoutOf(streaming);
    expect(s.dimensions.find((d) => d.unlimited)?.size).toBe(numrecs);
    expect(content(s)).toEqual(content(layoutOf(original)));
  });

  it("does not mention streaming anywhere in the layout", () => {
    const { path: _path, ...rest } = layoutOf("classic.streaming.mixed-record-vars.nc");
    expect(JSON.stringify(rest).toLowerCase()).not.toContain("stream");
  });
});
