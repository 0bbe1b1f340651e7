// Broken, foreign and unsupported inputs: clear errors naming the file, never partial layouts.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TruncatedFileError, memorySource, openFileSource } from "../../../shared/src/formats/byte-source.js";
import {
  Hdf5FormatError,
  Hdf5UnsupportedError,
  isHdf5,
  readHdf5Layout,
} from "../../../shared/src/formats/hdf5/index.js";
import { FIXTURES } from "./truth.js";
import { thrown } from "../../helpers/thrown.js";

const NC4 = "nc4.full.time-unlimited.deflate-fletcher32.groups.nc";

function fromFile(name: string, path = `/data/${name}`) {
  return memorySource(new Uint8Array(readFileSync(FIXTURES + name)), path);
}

describe("inputs that are not HDF5", () => {
  it.each(["broken.random-bytes.nc", "broken.zero-length.nc"])("rejects %s as not an HDF5 file, naming it", (name) => {
    const source = openFileSource(FIXTURES + name);
    try {
      expect(isHdf5(source)).toBe(false);
      const e = thrown(() => readHdf5Layout(source));
      expect(e).toBeInstanceOf(Hdf5FormatError);
      expect(e).not.toBeInstanceOf(Hdf5UnsupportedError);
      expect(e.name).toBe("Hdf5FormatError");
      expect(e.message).toMatch(/not an HDF5 file/);
      expect(e.message).toContain(FIXTURES + name);
    } finally {
      source.close();
    }
  });

  it("finds the signature after a user block at 512 bytes", () => {
    const source = openFileSource(`${FIXTURES}h5py.sb1-off4-ub512.istorek2.h5`);
    try {
      expect(isHdf5(source)).toBe(true);
    } finally {
      source.close();
    }
  });

  it("recognises every HDF5 fixture by its signature", () => {
    for (const name of [NC4, "h5py.default.mixed.h5", "h5py.latest.fixed-indexes.h5", "h5wasm.scales.gzip.h5"]) {
      const source = openFileSource(FIXTURES + name);
      expect(isHdf5(source), name).toBe(true);
      source.close();
    }
  });
});

describe("truncated files", () => {
  it("reports a copy cut in the middle of its metadata as truncated, naming the file", () => {
    const source = openFileSource(`${FIXTURES}broken.truncated-metadata.nc`);
    try {
      const e = thrown(() => readHdf5Layout(source));
      expect(e instanceof TruncatedFileError || e instanceof Hdf5FormatError).toBe(true);
      expect(e.message).toContain(`${FIXTURES}broken.truncated-metadata.nc`);
      expect(e.message).toMatch(/truncated/);
    } finally {
      source.close();
    }
  });

  it("raises TruncatedFileError when metadata lies past the end even if the superblock looks whole", () => {
    const whole = readFileSync(FIXTURES + NC4);
    const cut = new Uint8Array(whole.subarray(0, 3000));
    // Superblock v2: end-of-file address at byte 28 (signature 8, version, sizes, flags, base 8, extension 8).
    new DataView(cut.buffer).setBigUint64(28, 3000n, true);
    const e = thrown(() => readHdf5Layout(memorySource(cut, "/data/cut.nc")));
    expect(e).toBeInstanceOf(TruncatedFileError);
    expect(e.message).toContain("/data/cut.nc");
  });
});

describe("damaged structures", () => {
  it("names the structure and its offset when a signature is wrong", () => {
    const bytes = new Uint8Array(readFileSync(FIXTURES + NC4));
    const at = Buffer.from(bytes).indexOf("OHDR");
    bytes[at] = 0x58; // "XHDR"
    const e = thrown(() => readHdf5Layout(memorySource(bytes, "/data/damaged.nc")));
    expect(e).toBeInstanceOf(Hdf5FormatError);
    expect(e.message).toContain("/data/damaged.nc");
    expect(e.message).toMatch(/object header/);
    expect(e.message).toContain(`offset ${at}`);
  });
});

describe("unsupported features", () => {
  it("refuses a superblock version it does not know, by name", () => {
    const source = fromFile(NC4);
    const bytes = source.read(0, source.size);
    bytes[8] = 4;
    const e = thrown(() => readHdf5Layout(source));
    expect(e).toBeInstanceOf(Hdf5UnsupportedError);
    expect(e.name).toBe("Hdf5UnsupportedError");
    expect(e.message).toMatch(/superblock version 4/);
    expect(e.message).toContain(`/data/${NC4}`);
  });

  it("refuses virtual datasets instead of reporting them without data", () => {
    const e = thrown(() => readHdf5Layout(fromFile("h5py.virtual.vds.h5")));
    expect(e).toBeInstanceOf(Hdf5UnsupportedError);
    expect((e as Hdf5UnsupportedError).feature).toBe("virtual dataset layout");
  });

  it("refuses messages kept in the shared object header message heap", () => {
    const e = thrown(() => readHdf5Layout(fromFile("h5py.sohm.shared-messages.h5")));
    expect(e).toBeInstanceOf(Hdf5UnsupportedError);
    expect(e.message).toMatch(/SOHM/);
  });
});
