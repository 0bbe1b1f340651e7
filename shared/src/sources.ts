import { statSync } from "node:fs";
import { DroverError } from "./errors.js";
import { openFileSource, type ByteSource } from "./formats/byte-source.js";
import type { VariableLayout } from "./formats/layout.js";
import { asSourceError, readLayoutFrom } from "./formats/read-layout.js";
import { describeFile, type DescribeOptions, type FileInfo } from "./h5/describe.js";
import { sniffFormat } from "./h5/open.js";
import type { H5FilePool } from "./h5/pool.js";
import { readBox, readText, type NumericArray } from "./h5/read.js";
import { LruPool } from "./lru.js";
import { toValues } from "./refs/values.js";
import { layoutToFileInfo } from "./scan/layout-info.js";

// The validator's view of a source file, read independently of how the product was made:
// netCDF4/HDF5 through the HDF5 library (h5wasm); netCDF3, which h5wasm cannot open, through its
// plain header and byte offsets (checked against libnetcdf in the reader's tests).

export interface SourceFile {
  info: FileInfo;
  /** Values of a box [start, stop) of a variable, row-major; scalars with empty start/stop. */
  box(varPath: string, start: number[], stop: number[]): NumericArray;
  /** Text variables (chars, fixed and variable-length strings): each element of the box as text, trailing NULs removed. */
  text(varPath: string, start: number[], stop: number[]): string[];
}

const trimNul = (s: string) => s.replace(/\0+$/, "");

/** A source file before it is described: what it holds on request, and its values. */
export interface SourceReader extends Pick<SourceFile, "box" | "text"> {
  describe(options?: DescribeOptions): Promise<FileInfo>;
  /** Releases what the reader holds of its own (HDF5 files stay in the pool's care). */
  close(): void;
}

/** A reader of a netCDF4/HDF5 file through the pool's h5wasm handles, or of a netCDF3 file. */
export function openReader(path: string, pool: H5FilePool): SourceReader {
  if (sniffFormat(path).kind === "netcdf3") return openNetcdf3(path);
  return {
    describe: (options = {}) => describeFile(() => pool.get(path), path, options),
    box: (v, start, stop) => readBox(pool.get(path), path, v, start, stop),
    text: (v, start, stop) => readText(pool.get(path), path, v, start, stop).map(trimNul),
    close: () => {},
  };
}

/**
 * Readers of sources, at most `max` open at a time and reopened on need: a netCDF-3 reader holds a
 * file descriptor, and one kept per source ran out of them (EMFILE) past ~1,000 files. HDF5 files
 * stay in `pool`'s care.
 */
export function readerPool(pool: H5FilePool, max = 16): LruPool<SourceReader> {
  return new LruPool<SourceReader>(max, (path) => openReader(path, pool), (r) => r.close());
}

function openNetcdf3(path: string): SourceReader {
  const src = openFileSource(path, { blockSize: 1 << 20, maxBlocks: 8 });
  const layout = readLayoutFrom(src);
  const info = layoutToFileInfo(layout, statSync(path).mtimeMs);
  return {
    describe: () => Promise.resolve(info),
    close: () => src.close(),
    box(varPath, start, stop) {
      const v = layout.variables.find((x) => x.path === varPath);
      if (!v) throw new DroverError("SourceFormatError", `${path}: no variable ${varPath}`, { file: path });
      return asSourceError(path, () => boxOf(src, v, start, stop));
    },
    text(varPath, start, stop) {
      const v = layout.variables.find((x) => x.path === varPath);
      if (!v) throw new DroverError("SourceFormatError", `${path}: no variable ${varPath}`, { file: path });
      const bytes = asSourceError(path, () => boxOf(src, v, start, stop)) as Uint8Array;
      const size = v.dtype.size;
      return Array.from({ length: bytes.length / size }, (_, i) => trimNul(Buffer.from(bytes.subarray(i * size, (i + 1) * size)).toString("utf8")));
    },
  };
}

/** Bytes of a box of a row-major array stored contiguously from `base`, read row by row. */
function contiguousBox(src: ByteSource, base: number, shape: number[], start: number[], stop: number[], size: number): Uint8Array {
  const nd = shape.length;
  if (nd === 0) return src.read(base, size);
  const extent = stop.map((e, a) => e - (start[a] ?? 0));
  const out = new Uint8Array(extent.reduce((p, x) => p * x, 1) * size);
  const inner = shape.map((_, a) => shape.slice(a + 1).reduce((p, x) => p * x, 1));
  const rows = extent.slice(0, -1).reduce((p, x) => p * x, 1);
  const rowBytes = (extent[nd - 1] ?? 0) * size;
  const idx = new Array<number>(nd - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    const at = [...idx.map((i, a) => i + (start[a] ?? 0)), start[nd - 1] ?? 0];
    const offset = base + at.reduce((p, i, a) => p + i * (inner[a] ?? 1), 0) * size;
    out.set(src.read(offset, rowBytes), r * rowBytes);
    for (let a = nd - 2; a >= 0; a--) {
      idx[a] = (idx[a] ?? 0) + 1;
      if ((idx[a] ?? 0) < (extent[a] ?? 0)) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** A box of a netCDF3 variable: contiguous, or one record per step along the first axis. */
function boxOf(src: ByteSource, v: VariableLayout, start: number[], stop: number[]): NumericArray {
  const size = v.dtype.size;
  const s = v.storage;
  let bytes: Uint8Array;
  if (s.kind === "contiguous") bytes = contiguousBox(src, s.offset, v.shape, start, stop, size);
  else if (s.kind === "records") {
    const parts: Uint8Array[] = [];
    for (let r = start[0] ?? 0; r < (stop[0] ?? 0); r++) parts.push(contiguousBox(src, s.offset + r * s.stride, v.shape.slice(1), start.slice(1), stop.slice(1), size));
    bytes = Buffer.concat(parts);
  } else if (s.kind === "unallocated") {
    bytes = new Uint8Array((v.shape.length === 0 ? 1 : stop.reduce((p, e, a) => p * (e - (start[a] ?? 0)), 1)) * size);
  } else {
    throw new DroverError("UnsupportedFeatureError", `${src.path}: ${v.path} is ${s.kind}; netCDF3 sources are contiguous or records`);
  }
  return (/^\|S\d+$/.test(v.dtype.typestr) ? bytes : toValues(bytes, v.dtype.typestr)) as NumericArray;
}
