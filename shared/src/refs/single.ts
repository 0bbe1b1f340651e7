import { deflateSync } from "node:zlib";
import { DroverError } from "../errors.js";
import type { ByteSource } from "../formats/byte-source.js";
import type { AttributeValue, FileLayout, VariableLayout } from "../formats/layout.js";
import { nonZeroChunks } from "../scan/chunks.js";
import { fletcher32, numcodecsFilters } from "./filters.js";
import type { FileRefs, Ref, VariableRefs, ZArrayMeta } from "./types.js";
import { fileUrl } from "./urls.js";
import { fillBytes, readBytes } from "./values.js";
import { vlenStrings } from "../formats/hdf5/vlen-strings.js";
import { ENUM_ATTRIBUTE, refusalOf } from "../strings/kinds.js";
import { encodeVlenUtf8, VLEN_UTF8_FILTER } from "../strings/vlen-utf8.js";

// One file → its references: Zarr v2 metadata for every variable, and every stored chunk as a
// byte range of the file (or inline, when smaller than the threshold).

/** Up to this many never-written chunks of a variable are written out inline as fill chunks. */
export const MAX_FILL_CHUNKS = 100_000;

export interface SingleOptions {
  /** Chunks stored in fewer bytes than this are inlined as base64. 0: never. */
  inlineThreshold: number;
}

/** A `_FillValue` attribute as Zarr v2 spells a fill value ("NaN", "Infinity"), or null. */
export function fillValueOf(v: AttributeValue | undefined): number | bigint | string | null {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === "bigint") return x;
  if (typeof x !== "number") return null;
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return x;
}

function shuffle(bytes: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return bytes;
  const n = Math.floor(bytes.length / elementSize);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < n; i++) for (let b = 0; b < elementSize; b++) out[b * n + i] = bytes[i * elementSize + b] as number;
  out.set(bytes.subarray(n * elementSize), n * elementSize);
  return out;
}

/** A chunk of the HDF5 fill value, encoded through the variable's pipeline, as an inline reference. */
function fillChunk(v: VariableLayout, chunk: number[]): Ref {
  const n = chunk.reduce((a, b) => a * b, 1);
  let bytes = fillBytes(v, n);
  for (const f of v.filters) {
    if (f.id === 1) bytes = new Uint8Array(deflateSync(bytes, { level: f.clientData[0] ?? 1 }));
    else if (f.id === 2) bytes = shuffle(bytes, f.clientData[0] ?? v.dtype.size);
    else if (f.id === 3) {
      const out = new Uint8Array(bytes.length + 4);
      out.set(bytes);
      new DataView(out.buffer).setUint32(bytes.length, fletcher32(bytes), true);
      bytes = out;
    }
  }
  return `base64:${Buffer.from(bytes).toString("base64")}`;
}

function chunkKeys(grid: number[]): string[] {
  if (grid.length === 0) return ["0"];
  const keys: string[] = [];
  const idx = new Array<number>(grid.length).fill(0);
  const total = grid.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    keys.push(idx.join("."));
    for (let a = grid.length - 1; a >= 0; a--) {
      idx[a] = (idx[a] ?? 0) + 1;
      if ((idx[a] ?? 0) < (grid[a] ?? 0)) break;
      idx[a] = 0;
    }
  }
  return keys;
}

/** The attributes a variable's `.zattrs` carries: its own, and an enumerated type's dictionary (see ../strings/kinds.ts). */
export function productAttributes(v: VariableLayout): Record<string, unknown> {
  const { _FillValue, ...attributes } = v.attributes;
  return v.enumDict ? { ...attributes, [ENUM_ATTRIBUTE]: v.enumDict } : attributes;
}

/**
 * Variable-length strings: references cannot point into the global heap, so the values are read
 * and written inline in numcodecs' vlen-utf8 encoding, one chunk per step of the first axis (so
 * that files concatenate along it without splitting a chunk), as kerchunk does.
 */
function vlenStringRefs(src: ByteSource, v: VariableLayout): VariableRefs {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const values = n === 0 ? [] : vlenStrings(src, readBytes(src, v), n);
  const chunkShape = v.shape.length === 0 ? [] : [1, ...v.shape.slice(1)];
  const inner = chunkShape.reduce((a, b) => a * b, 1);
  const chunks: Record<string, Ref> = {};
  const rows = v.shape.length === 0 ? 1 : (v.shape[0] ?? 0);
  if (inner > 0) {
    for (let r = 0; r < rows; r++) {
      const key = v.shape.length === 0 ? "0" : [r, ...v.shape.slice(1).map(() => 0)].join(".");
      chunks[key] = `base64:${Buffer.from(encodeVlenUtf8(values.slice(r * inner, (r + 1) * inner))).toString("base64")}`;
    }
  }
  return {
    name: v.path.slice(1),
    dimensions: v.dimensions,
    zarray: { zarr_format: 2, shape: v.shape, chunks: nonZeroChunks(chunkShape), dtype: "|O", compressor: null, filters: [{ ...VLEN_UTF8_FILTER }], fill_value: null, order: "C" },
    attributes: productAttributes(v),
    floatAttributes: (v.floatAttributes ?? []).filter((a) => a !== "_FillValue"),
    chunks,
  };
}

/** Bytes HDF5's fletcher32 filter appends to a chunk. */
const CHECKSUM_BYTES = 4;

/**
 * The variable with a fletcher32 filter that ends its pipeline left out: its checksum is the last
 * 4 bytes of each stored chunk, so a reference that stops short of them needs no codec for it
 * (numcodecs before 0.12, Debian 12's included, has none and cannot open the product otherwise).
 * The checksum is then not checked on read; the validator reads the sources through HDF5, which
 * does check it. A fletcher32 filter elsewhere in the pipeline stays a codec.
 */
function withoutTrailingChecksum(v: VariableLayout): VariableLayout {
  return v.filters.at(-1)?.id === 3 ? { ...v, filters: v.filters.slice(0, -1) } : v;
}

export function variableRefs(src: ByteSource, v: VariableLayout, url: string, options: SingleOptions): VariableRefs {
  const refusal = refusalOf(v);
  if (refusal !== undefined) {
    throw new DroverError("UnsupportedFeatureError", `${src.path}: variable ${v.path} ${refusal}`, { file: src.path, variable: v.name });
  }
  if (v.dtype.kind === "vlen-string") return vlenStringRefs(src, v);
  const fill = fillValueOf(v.attributes["_FillValue"]);
  const attributes = productAttributes(v);
  const typestr = v.dtype.kind === "char" ? `|S${v.dtype.size}` : v.dtype.typestr;
  const size = v.dtype.size;
  const n = v.shape.reduce((a, b) => a * b, 1);
  const chunks: Record<string, Ref> = {};
  const inline = (bytes: Uint8Array): Ref => `base64:${Buffer.from(bytes).toString("base64")}`;
  const range = (offset: number, length: number): Ref => (length < options.inlineThreshold ? inline(src.read(offset, length)) : [url, offset, length]);
  let chunkShape: number[] = v.shape.length === 0 ? [] : [...v.shape];
  let filters: ZArrayMeta["filters"] = null;
  const s = v.storage;
  /** The pipeline the references name (a trailing checksum left out). */
  const stored = withoutTrailingChecksum(v);
  const zeroKey = v.shape.map(() => "0").join(".") || "0";
  switch (s.kind) {
    case "contiguous":
      if (n > 0) chunks[zeroKey] = range(s.offset, n * size);
      break;
    case "compact":
      chunks[zeroKey] = inline(s.data.subarray(0, n * size));
      break;
    case "records":
      chunkShape = [1, ...v.shape.slice(1)];
      for (let r = 0; r < s.count; r++) chunks[[r, ...v.shape.slice(1).map(() => 0)].join(".")] = range(s.offset + r * s.stride, s.length);
      break;
    case "unallocated":
      break;
    case "chunked": {
      chunkShape = v.chunkShape ?? chunkShape;
      filters = stored.filters.length > 0 ? numcodecsFilters(stored) : null;
      const trail = stored === v ? 0 : CHECKSUM_BYTES;
      for (const c of s.chunks) {
        if (c.filterMask !== 0) {
          throw new DroverError("UnsupportedFeatureError", `${src.path}: chunk [${c.index.join(",")}] of ${v.path} skips part of its filter pipeline (mask ${c.filterMask}); references cannot express that`, { file: src.path, variable: v.name });
        }
        if (c.index.some((i, a) => i * (chunkShape[a] ?? 1) >= (v.shape[a] ?? 0))) continue;
        chunks[c.index.join(".") || "0"] = range(c.offset, c.length - trail);
      }
      break;
    }
  }
  // Chunks never written read as the HDF5 fill value. They are spelled out as inline chunks of
  // that value: without a _FillValue attribute, a Zarr fill_value would mask real data in xarray,
  // and older fsspec reference readers fail on a missing key instead of filling it.
  if (n > 0) {
    const grid = v.shape.map((d, a) => Math.ceil(d / (chunkShape[a] ?? 1)));
    const total = grid.reduce((a, b) => a * b, 1);
    const missing = Object.keys(chunks).length < total ? chunkKeys(grid).filter((k) => chunks[k] === undefined) : [];
    const chunkBytes = chunkShape.reduce((a, b) => a * b, 1) * size;
    if (missing.length > 0 && (missing.length > MAX_FILL_CHUNKS || (s.kind !== "chunked" && chunkBytes > 16 * 1024 * 1024))) {
      if (fill === null) {
        throw new DroverError(
          "UnsupportedFeatureError",
          `${src.path}: variable ${v.path} has ${missing.length} chunks never written and no _FillValue attribute; references cannot reproduce them compactly; leave it out with keep_vars`,
          { file: src.path, variable: v.name },
        );
      }
    } else if (missing.length > 0) {
      const enc = fillChunk(s.kind === "chunked" ? stored : { ...v, filters: [] }, chunkShape);
      for (const k of missing) chunks[k] = enc;
    }
  }
  return {
    name: v.path.slice(1),
    dimensions: v.dimensions,
    zarray: { zarr_format: 2, shape: v.shape, chunks: nonZeroChunks(chunkShape), dtype: typestr, compressor: null, filters, fill_value: fill, order: "C" },
    attributes,
    floatAttributes: (v.floatAttributes ?? []).filter((a) => a !== "_FillValue"),
    chunks,
  };
}

/**
 * References for every variable of one file; a variable whose type or filters a Zarr v2 product
 * cannot carry is left out (the scan refuses it by name, and the validator reports it missing).
 */
export function fileRefs(src: ByteSource, layout: FileLayout, options: SingleOptions): FileRefs {
  const url = fileUrl(layout.path);
  return {
    url,
    attributes: layout.attributes,
    floatAttributes: layout.floatAttributes ?? [],
    groups: layout.groups.map((g) => ({ name: g.path.slice(1), attributes: g.attributes, floatAttributes: g.floatAttributes ?? [] })),
    variables: layout.variables.filter((v) => refusalOf(v) === undefined).map((v) => variableRefs(src, v, url, options)),
  };
}
