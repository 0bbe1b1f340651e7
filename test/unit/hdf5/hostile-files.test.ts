// Damaged and hostile HDF5 input: each case once hung, crashed or allocated without bound (found
// by test/faults/fuzz-readers.test.ts, or by reading the code for the same class of bug), and
// must now end quickly in an error that names the file. Plus the file-level cases of issue 11:
// empty, not HDF5, cut in half, changed while being read.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DroverError } from "../../../shared/src/errors.js";
import { TruncatedFileError, memorySource } from "../../../shared/src/formats/byte-source.js";
import { attributeValue } from "../../../shared/src/formats/hdf5/values.js";
import { parseAttribute } from "../../../shared/src/formats/hdf5/attributes.js";
import { readBtree2Header, walkBtree2 } from "../../../shared/src/formats/hdf5/btree.js";
import { Cursor } from "../../../shared/src/formats/hdf5/cursor.js";
import { parseDatatype } from "../../../shared/src/formats/hdf5/datatype.js";
import { Hdf5FormatError } from "../../../shared/src/formats/hdf5/errors.js";
import { Hdf5File } from "../../../shared/src/formats/hdf5/file.js";
import { openChecked, readLayout, readLayoutFrom } from "../../../shared/src/formats/read-layout.js";
import { loadHdf5 } from "../../../shared/src/h5/open.js";
import { terabyteSource } from "../../helpers/fuzz-sources.js";
import { FIXTURES } from "./truth.js";
import { thrown } from "../../helpers/thrown.js";

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

function setU64(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(at, BigInt(value), true);
}

function getU64(bytes: Uint8Array, at: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true));
}

/** The layout error of `bytes` read as `path`, as the scan reads it (readLayoutFrom). */
function layoutError(bytes: Uint8Array, path: string): DroverError {
  const e = thrown(() => readLayoutFrom(memorySource(bytes, path)));
  expect(e).toBeInstanceOf(DroverError);
  expect((e as DroverError).file).toBe(path);
  expect(e.message).toContain(path);
  return e as DroverError;
}

/** `size` bytes starting with a version 2 superblock (8-byte addresses and lengths), zeros after. */
function tinyFile(size: number, path = "/data/crafted.h5"): { bytes: Uint8Array; file: Hdf5File } {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 2, 8, 8, 0]);
  setU64(bytes, 12, 0); // base address
  bytes.fill(0xff, 20, 28); // no superblock extension
  setU64(bytes, 28, size); // end of file
  setU64(bytes, 36, 48); // root object header (not read here)
  return { bytes, file: new Hdf5File(memorySource(bytes, path)) };
}

describe("chunk grids from corrupt sizes", () => {
  // h5py.latest.fixed-indexes.h5: the object header at 837 is a 12 x 10 dataset in 5 x 5 chunks
  // with the implicit chunk index; its dataspace message holds dims at 869, 877 and maxdims at
  // 885, 893. Fuzz: "flip bit 4 of byte 873" (seed 20261203, hdf5 mutant 16325) made dims[0]
  // 2^36 + 12, and the reader listed chunk after chunk for good.
  const NAME = "h5py.latest.fixed-indexes.h5";

  it("refuses a dimension larger than its maximum", () => {
    const bytes = fixture(NAME);
    expect([getU64(bytes, 869), getU64(bytes, 885)]).toEqual([12, 12]);
    setU64(bytes, 869, 13);
    const e = layoutError(bytes, "/data/dims-over-max.h5");
    expect(e.kind).toBe("SourceFormatError");
    expect(e.message).toMatch(/dimension 0 has size 13 but its maximum is 12/);
  });

  it("refuses an implicit chunk index whose chunks cannot all be in the file", () => {
    const bytes = fixture(NAME);
    // 2^20 + 12 rows (and as many at most): 209,718 x 2 chunks of 50 bytes in a 29 KB file.
    setU64(bytes, 869, 2 ** 20 + 12);
    setU64(bytes, 885, 2 ** 20 + 12);
    const e = layoutError(bytes, "/data/implicit-huge.h5");
    expect(e.message).toMatch(/implicit index of 419436 chunks of 50 bytes at 6707 does not fit in the file \(29119 bytes\)/);
  });
  it("refuses a chunk dimension of 0 (an endless chunk grid)", () => {
    const bytes = fixture(NAME);
    // The layout message at 927: version 4, chunked, flags, rank 3, 1-byte dims 5, 5, 2.
    expect(Array.from(bytes.subarray(927, 935))).toEqual([4, 2, 0, 3, 1, 5, 5, 2]);
    bytes[932] = 0;
    const e = layoutError(bytes, "/data/chunk-zero.h5");
    expect(e.message).toMatch(/data layout message at offset 927: chunk shape \[0, 5\] of 2-byte elements has an empty dimension/);
  });
});

describe("object header continuation loops", () => {
  // nc4.classic-model.time-unlimited.nc: the continuation block "OCHK" at 546 holds a
  // continuation message whose address (at 590) leads on to the block at 1068. Fuzz: "set the
  // 8-byte address at 590 to 546" (seed 20261203, hdf5 mutant 171, with an unrelated overwrite)
  // sent the reader round the same block 100,000 times, 40 MB of messages, before it gave up.
  it("stops at the first continuation back to a block already read", () => {
    const bytes = fixture("nc4.classic-model.time-unlimited.nc");
    expect(getU64(bytes, 590)).toBe(1068);
    setU64(bytes, 590, 546);
    const e = layoutError(bytes, "/data/continuation-loop.nc");
    expect(e.message).toMatch(/continuation back to the block at 546 \(a loop\)/);
  });

  it("refuses continuation blocks larger in all than the file", () => {
    const bytes = fixture("nc4.classic-model.time-unlimited.nc");
    // The length of the continuation at 590 (at 598) is 0x41: make it reach past the end.
    expect(getU64(bytes, 598)).toBe(0x41);
    setU64(bytes, 598, bytes.length);
    const e = layoutError(bytes, "/data/continuation-long.nc");
    expect(e.message).toMatch(/continuation blocks of \d+ bytes in all, more than the file's/);
  });
});

describe("size fields within a very large file", () => {
  it("refuses a structure larger than any metadata before reading (allocating) it", () => {
    // The continuation at 590 of nc4.classic-model.time-unlimited.nc, 300 MB long: within a
    // 1 TB file, so only the size itself can tell that it is corrupt.
    const bytes = fixture("nc4.classic-model.time-unlimited.nc");
    expect(getU64(bytes, 598)).toBe(0x41);
    setU64(bytes, 598, 300 * 1024 * 1024);
    const e = thrown(() => readLayoutFrom(terabyteSource(bytes, "/data/huge-continuation.nc")));
    expect(e).toBeInstanceOf(DroverError);
    expect(e.message).toMatch(/\/data\/huge-continuation\.nc: object header continuation block at offset 1068: 314572800 bytes, more than any metadata structure has/);
  });
});

describe("nesting and sizes inside structures", () => {
  it("refuses a datatype nested deeper than any real one instead of overflowing the stack", () => {
    // 100,000 variable-length sequences of sequences of … of a 4-byte integer.
    const levels = 100_000;
    const bytes = new Uint8Array(levels * 8 + 12);
    for (let i = 0; i < levels; i++) bytes.set([0x19, 0, 0, 0, 16, 0, 0, 0], i * 8);
    bytes.set([0x10, 0x08, 0, 0, 4, 0, 0, 0, 0, 0, 32, 0], levels * 8);
    const { file } = tinyFile(64);
    const e = thrown(() => parseDatatype(new Cursor(file, bytes, 0, "datatype message")));
    expect(e).toBeInstanceOf(Hdf5FormatError);
    expect(e.message).toMatch(/\/data\/crafted\.h5: datatype message at offset \d+: datatype nested more than 32 levels deep/);
  });

  it("refuses a datatype of size 0 (an attribute of a million empty strings in no bytes)", () => {
    // Attribute message version 1: name "a", a fixed-length string type of size 0, a dataspace
    // of 1,000,000 elements and no data: count × size is 0, so the data looked complete.
    const { file } = tinyFile(64);
    const msg = new Uint8Array(8 + 8 + 8 + 16);
    msg.set([1, 0, 2, 0, 8, 0, 16, 0]); // version, reserved, name/type/space sizes
    msg.set([0x61, 0], 8); // "a"
    msg.set([0x13, 0, 0, 0, 0, 0, 0, 0], 16); // string, version 1, size 0
    msg.set([1, 1, 0, 0, 0, 0, 0, 0], 24); // dataspace version 1, rank 1
    setU64(msg, 32, 1_000_000);
    const e = thrown(() => attributeValue(file, parseAttribute(file, new Cursor(file, msg, 1000, "attribute message"))));
    expect(e).toBeInstanceOf(Hdf5FormatError);
    expect(e.message).toMatch(/\/data\/crafted\.h5: attribute datatype at offset 1016: datatype of size 0/);
  });

  it("reads each v2 B-tree node once: children shared between parents are refused", () => {
    // A depth-5 B-tree of link names whose every internal node points all ten of its children
    // at the same node below: 10^5 paths to one leaf, a walk exponential in the depth.
    const { bytes, file } = tinyFile(8192);
    const view = new DataView(bytes.buffer);
    const depth = 5;
    const k = 9; // records per node
    const recordSize = 11;
    const header = 48;
    const nodeAt = (level: number) => 1024 + level * 512;
    bytes.set([0x42, 0x54, 0x48, 0x44, 0, 5], header); // "BTHD", version 0, type 5 (link names)
    view.setUint32(header + 6, 512, true); // node size
    view.setUint16(header + 10, recordSize, true);
    view.setUint16(header + 12, depth, true);
    bytes.set([100, 40], header + 14); // split, merge
    setU64(bytes, header + 16, nodeAt(depth)); // root
    view.setUint16(header + 24, k, true); // records in the root
    setU64(bytes, header + 26, k); // total records (not checked)
    const h = readBtree2Header(file, header);
    for (let level = depth; level >= 0; level--) {
      const at = nodeAt(level);
      bytes.set(level === 0 ? [0x42, 0x54, 0x4c, 0x46, 0, 5] : [0x42, 0x54, 0x49, 0x4e, 0, 5], at); // "BTLF" / "BTIN"
      if (level === 0) continue;
      let p = at + 6 + k * recordSize;
      for (let child = 0; child <= k; child++) {
        setU64(bytes, p, nodeAt(level - 1));
        p += 8;
        bytes[p] = k; // records in the child
        p += h.nrecBytes + (level > 1 ? (h.cumBytes[level - 1] as number) : 0);
      }
    }
    let visited = 0;
    const e = thrown(() => walkBtree2(file, header, [5], () => void visited++));
    expect(e).toBeInstanceOf(Hdf5FormatError);
    // Down the first path (root to leaf, 9 records each), then the leaf again from its parent.
    expect(e.message).toMatch(/v2 B-tree leaf node at offset 1024: node reached twice/);
    expect(visited).toBe(6 * k);
  });
});

describe("hard links making a lattice", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-lattice-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops after 100,000 object paths instead of listing every path through the lattice", async () => {
    // /g0/g1/…/g9 with 200 datasets in g9, and a second link "b" from each group to the next:
    // 2^9 paths to g9, 102,400 dataset paths in a file of 100 KB. Every path was walked and
    // became a variable (netCDF-C does the same); a deeper lattice runs out of memory.
    const h5 = await loadHdf5();
    const path = join(dir, "lattice.h5");
    const f = new h5.File(path, "w");
    let g = "";
    for (let i = 0; i < 10; i++) f.create_group((g += `/g${i}`));
    for (let k = 0; k < 200; k++) f.create_dataset({ name: `${g}/v${k}`, data: new Float32Array([1, 2]), shape: [2] });
    g = "";
    for (let i = 0; i < 9; i++) (f.get((g += `/g${i}`)) as InstanceType<typeof h5.Group>).create_hard_link(`${g}/g${i + 1}`, "b");
    f.close();
    const e = thrown(() => readLayout(path));
    expect(e).toBeInstanceOf(DroverError);
    expect((e as DroverError).file).toBe(path);
    expect(e.message).toMatch(/more than 100000 object paths/);
  });
});

describe("hostile files through readLayout, each failing with a named error naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-hostile-h5-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const NC4 = "nc4.full.time-unlimited.deflate-fletcher32.groups.nc";

  function layoutFailure(path: string): DroverError {
    const e = thrown(() => readLayout(path));
    expect(e).toBeInstanceOf(DroverError);
    expect((e as DroverError).file).toBe(path);
    expect(e.message).toContain(path);
    return e as DroverError;
  }

  it("a zero-length file", () => {
    const path = join(dir, "empty.nc");
    writeFileSync(path, "");
    const e = layoutFailure(path);
    expect(e.kind).toBe("SourceFormatError");
    expect(e.message).toMatch(/file is empty \(0 bytes\)/);
  });

  it("a text file named .nc", () => {
    const path = join(dir, "cdl-text.nc");
    writeFileSync(path, "netcdf tiny {\ndimensions:\n  time = UNLIMITED ;\nvariables:\n  double time(time) ;\n}\n");
    const e = layoutFailure(path);
    expect(e.kind).toBe("SourceFormatError");
    expect(e.message).toMatch(/not a netCDF or HDF5 file/);
  });

  it("an HDF5 file cut to half its size", () => {
    const whole = fixture(NC4);
    const path = join(dir, "half.nc");
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const e = layoutFailure(path);
    expect(e.kind).toBe("SourceFormatError");
    expect(e.message).toMatch(/truncated/);
  });

  it("an HDF5 file that shrinks after it was opened", () => {
    // Before: blocks past the new end came back as zeros, and the reader reported whatever
    // structure it found there as damaged (or worse, read zeros as data).
    const path = join(dir, "shrinks.nc");
    writeFileSync(path, fixture(NC4));
    const src = openChecked(path);
    try {
      truncateSync(path, 4000);
      const e = thrown(() => readLayoutFrom(src));
      expect(e).toBeInstanceOf(DroverError);
      expect((e as DroverError).kind).toBe("SourceFormatError");
      expect((e as DroverError).file).toBe(path);
      expect(e.message).toContain(path);
      expect(e.message).toMatch(/changed while being read: it had 39535 bytes when opened but ends at byte 4000 now/);
    } finally {
      src.close();
    }
  });

  it("an HDF5 file that grows after it was opened is read as it was when opened", () => {
    // What the reader can promise: the size is taken at open, bytes appended later are never
    // looked at. A file rewritten in place at the same size cannot be told from an intact one
    // here (the scan records the modification time for that).
    const path = join(dir, "grows.nc");
    writeFileSync(path, fixture(NC4));
    const before = readLayout(path).layout;
    const src = openChecked(path);
    try {
      appendFileSync(path, new Uint8Array(100_000).fill(0xab));
      const after = readLayoutFrom(src);
      expect(after.size).toBe(before.size);
      expect(after.variables).toEqual(before.variables);
    } finally {
      src.close();
    }
  });

  it("offsets that are not numbers are refused by the byte sources", () => {
    const e = thrown(() => memorySource(new Uint8Array(16), "/data/nan.h5").read(Number.NaN, 4));
    expect(e).toBeInstanceOf(TruncatedFileError);
    expect(e.message).toContain("/data/nan.h5");
  });
});
