import { inflateSync } from "node:zlib";
import { DroverError } from "../errors.js";
import type { Filter, VariableLayout } from "../formats/layout.js";

// HDF5 filter pipelines as numcodecs filters (what Kerchunk references name), and decoding of
// stored chunk bytes for the values drover itself needs (coordinates, bounds, inlined arrays).

export interface Codec {
  id: string;
  [k: string]: unknown;
}

/**
 * The pipeline in HDF5's order (the order filters were applied when writing), each as a numcodecs
 * filter; Zarr v2 applies filters in order when encoding and in reverse when decoding, so with
 * compressor null the same list reproduces the pipeline exactly (fletcher32 after deflate included).
 */
export function numcodecsFilters(v: VariableLayout): Codec[] {
  return v.filters.map((f) => toCodec(f, v));
}

function toCodec(f: Filter, v: VariableLayout): Codec {
  switch (f.id) {
    case 1:
      return { id: "zlib", level: f.clientData[0] ?? 1 };
    case 2:
      return { id: "shuffle", elementsize: f.clientData[0] ?? v.dtype.size };
    case 3:
      return { id: "fletcher32" };
    default:
      throw new DroverError(
        "UnsupportedFeatureError",
        `variable ${v.path} uses HDF5 filter ${f.id} (${f.name || "unnamed"}), which Kerchunk references cannot name yet; use the Zarr product (format zarr)`,
        { variable: v.name },
      );
  }
}

export function unshuffle(bytes: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return bytes;
  const n = Math.floor(bytes.length / elementSize);
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < elementSize; b++) {
    const plane = b * n;
    for (let i = 0; i < n; i++) out[i * elementSize + b] = bytes[plane + i] as number;
  }
  // Bytes past the last whole element are stored unshuffled.
  out.set(bytes.subarray(n * elementSize), n * elementSize);
  return out;
}

/** HDF5's Fletcher-32 checksum (H5_checksum_fletcher32): 16-bit big-endian words, sums reduced every 360 words. */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let i = 0;
  let words = data.length >>> 1;
  while (words > 0) {
    let t = Math.min(words, 360);
    words -= t;
    do {
      sum1 += ((data[i] as number) << 8) | (data[i + 1] as number);
      sum2 += sum1;
      i += 2;
    } while (--t);
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += (data[i] as number) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

/** Strips and checks the 4-byte checksum HDF5's fletcher32 filter appends. */
export function checkFletcher32(bytes: Uint8Array, where: string): Uint8Array {
  if (bytes.length < 4) throw new DroverError("SourceFormatError", `${where}: chunk too short for its fletcher32 checksum`);
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  if (stored !== fletcher32(body)) {
    throw new DroverError("SourceFormatError", `${where}: fletcher32 checksum mismatch: the chunk is corrupt; re-copy the file from the archive`);
  }
  return body;
}

/** Undoes a variable's filter pipeline on one stored chunk (filters the chunk's mask skipped stay skipped). */
export function decodeChunk(bytes: Uint8Array, v: VariableLayout, filterMask: number, where: string): Uint8Array {
  let out = bytes;
  for (let k = v.filters.length - 1; k >= 0; k--) {
    if (filterMask & (1 << k)) continue;
    const f = v.filters[k] as Filter;
    if (f.id === 1) out = new Uint8Array(inflateSync(out));
    else if (f.id === 2) out = unshuffle(out, f.clientData[0] ?? v.dtype.size);
    else if (f.id === 3) out = checkFletcher32(out, where);
    else throw new DroverError("UnsupportedFeatureError", `${where}: cannot decode HDF5 filter ${f.id} (${f.name})`, { variable: v.name });
  }
  return out;
}
