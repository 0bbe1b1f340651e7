// Damaged and hostile netCDF classic input through readLayout (what the scan calls): each ends
// in a named error naming the file, or in a layout; never a crash (issue 11, "Data files").

import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DroverError } from "../../../shared/src/errors.js";
import { openChecked, readLayout, readLayoutFrom } from "../../../shared/src/formats/read-layout.js";
import { recordSize, streamingRecordCount } from "../../../shared/src/formats/netcdf3/records.js";
import { terabyteSource } from "../../helpers/fuzz-sources.js";
import { fixturePath } from "./truth.js";
import { thrown } from "../../helpers/thrown.js";

describe("hostile netCDF classic files", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-hostile-nc3-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const CF = "classic.cf-typical.nc";

  it("a header cut in the middle", () => {
    const whole = readFileSync(fixturePath(CF));
    const path = join(dir, "header-cut.nc");
    writeFileSync(path, whole.subarray(0, 300));
    const e = thrown(() => readLayout(path));
    expect(e).toBeInstanceOf(DroverError);
    expect((e as DroverError).kind).toBe("SourceFormatError");
    expect((e as DroverError).file).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/the header is truncated: expected .* but the file ends at byte 300/);
  });

  it("a file that shrinks after it was opened", () => {
    // Before: the block read came back short and its missing tail was read as zeros, which a
    // netCDF header happily takes for empty lists.
    const path = join(dir, "shrinks.nc");
    writeFileSync(path, readFileSync(fixturePath(CF)));
    const src = openChecked(path);
    try {
      truncateSync(path, 100);
      const e = thrown(() => readLayoutFrom(src));
      expect(e).toBeInstanceOf(DroverError);
      expect((e as DroverError).kind).toBe("SourceFormatError");
      expect((e as DroverError).file).toBe(path);
      expect(e.message).toMatch(/changed while being read: it had 3672 bytes when opened but ends at byte 100 now/);
    } finally {
      src.close();
    }
  });

  it("a name length of 300 MB within a very large file is refused before it is read (allocated)", () => {
    const bytes = new Uint8Array(readFileSync(fixturePath(CF)));
    // magic, numrecs, NC_DIMENSION, number of dimensions, then the first name's length at 16.
    new DataView(bytes.buffer).setUint32(16, 300 * 1024 * 1024);
    const e = thrown(() => readLayoutFrom(terabyteSource(bytes, "/data/huge-name.nc")));
    expect(e).toBeInstanceOf(DroverError);
    expect(e.message).toMatch(/\/data\/huge-name\.nc: the name of dimension 0 would take 314572800 bytes, more than any header field has/);
  });

  it("the record count of a STREAMING header with a million record variables (once overflowed the stack)", () => {
    // Math.min(...slabs) threw a RangeError from about 130,000 record variables on: a header of
    // 5 MB. The record count is the reader's last step, so the slabs are given to it directly.
    const n = 1_000_000;
    const slabs = Array.from({ length: n }, (_, i) => ({ begin: 8_000_000 + 4 * i, length: 4 }));
    const recsize = recordSize(slabs);
    expect(recsize).toBe(4 * n);
    expect(streamingRecordCount(8_000_000 + 3 * recsize + 10, slabs, recsize)).toBe(3);
    expect(streamingRecordCount(8_000_000 + recsize - 1, slabs, recsize)).toBe(0);
  });
});
