import { DroverError } from "../errors.js";
import type { ByteSource } from "../formats/byte-source.js";
import type { VariableLayout } from "../formats/layout.js";
import { decodeChunk } from "./filters.js";

// Every value of a variable, read straight from the file's bytes through its layout: used for
// coordinates, bounds and small variables that references inline.

export type Values = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const ctor: Record<string, new (b: ArrayBuffer) => Values> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
  i8: BigInt64Array,
  u8: BigUint64Array,
  S1: Uint8Array,
};

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Native-endian bytes → a typed array of the variable's type (a copy; big-endian swapped). */
export function toValues(bytes: Uint8Array, typestr: string): Values {
  const kind = typestr.slice(1);
  const C = ctor[kind];
  if (!C) throw new DroverError("UnsupportedFeatureError", `values of type ${typestr} cannot be read as numbers`);
  const size = Number(kind.slice(1)) || 1;
  const copy = new Uint8Array(bytes.length - (bytes.length % size));
  copy.set(bytes.subarray(0, copy.length));
  const bigEndian = typestr[0] === ">";
  if (size > 1 && bigEndian === littleEndianHost) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return new C(copy.buffer);
}

/** `n` copies of the variable's stored fill value (zero when it has none), in the file's byte order. */
export function fillBytes(v: VariableLayout, n: number): Uint8Array {
  const out = new Uint8Array(n * v.dtype.size);
  const fill = v.storedFillValue;
  if ((typeof fill !== "number" && typeof fill !== "bigint") || fill === 0 || fill === 0n) return out;
  const one = toValues(new Uint8Array(v.dtype.size), `<${v.dtype.typestr.slice(1)}`);
  if (one instanceof BigInt64Array || one instanceof BigUint64Array) one[0] = BigInt(fill);
  else one[0] = Number(fill);
  const b = new Uint8Array(one.buffer);
  if (v.dtype.typestr[0] === ">") b.reverse();
  for (let i = 0; i < out.length; i += b.length) out.set(b, i);
  return out;
}

/** Stored bytes of the whole variable in row-major order (the file's byte order). */
export function readBytes(src: ByteSource, v: VariableLayout): Uint8Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const size = v.dtype.size;
  const s = v.storage;
  switch (s.kind) {
    case "contiguous":
      return src.read(s.offset, Math.min(s.length, n * size)).slice();
    case "compact":
      return s.data.slice(0, n * size);
    case "unallocated":
      return fillBytes(v, n);
    case "records": {
      const out = new Uint8Array(n * size);
      for (let r = 0; r < s.count; r++) out.set(src.read(s.offset + r * s.stride, s.length), r * s.length);
      return out;
    }
    case "chunked": {
      const chunk = v.chunkShape ?? v.shape;
      const out = fillBytes(v, n);
      const nd = v.shape.length;
      const strides = v.shape.map((_, a) => v.shape.slice(a + 1).reduce((p, x) => p * x, 1));
      const cstrides = chunk.map((_, a) => chunk.slice(a + 1).reduce((p, x) => p * x, 1));
      for (const c of s.chunks) {
        const where = `${src.path}: ${v.path} chunk [${c.index.join(",")}]`;
        const data = decodeChunk(src.read(c.offset, c.length), v, c.filterMask, where);
        const start = c.index.map((i, a) => i * (chunk[a] ?? 1));
        const extent = chunk.map((k, a) => Math.max(0, Math.min(k, (v.shape[a] ?? 0) - (start[a] ?? 0))));
        if (extent.some((e) => e === 0)) continue;
        if (nd === 0) {
          out.set(data.subarray(0, size));
          continue;
        }
        const rowLen = (extent[nd - 1] ?? 0) * size;
        const rows = extent.slice(0, -1).reduce((p, x) => p * x, 1);
        const idx = new Array<number>(Math.max(0, nd - 1)).fill(0);
        for (let r = 0; r < rows; r++) {
          let dst = (start[nd - 1] ?? 0) * size;
          let srcOff = 0;
          for (let a = 0; a < nd - 1; a++) {
            dst += ((start[a] ?? 0) + (idx[a] ?? 0)) * (strides[a] ?? 0) * size;
            srcOff += (idx[a] ?? 0) * (cstrides[a] ?? 0) * size;
          }
          out.set(data.subarray(srcOff, srcOff + rowLen), dst);
          for (let a = nd - 2; a >= 0; a--) {
            idx[a] = (idx[a] ?? 0) + 1;
            if ((idx[a] ?? 0) < (extent[a] ?? 0)) break;
            idx[a] = 0;
          }
        }
      }
      return out;
    }
  }
}

/** Every value of a variable as a typed array in native byte order. */
export function readValues(src: ByteSource, v: VariableLayout): Values {
  return toValues(readBytes(src, v), v.dtype.typestr);
}

/** Every value as float64 (coordinates, comparisons). */
export function readFloat64(src: ByteSource, v: VariableLayout): Float64Array {
  const x = readValues(src, v);
  return x instanceof BigInt64Array || x instanceof BigUint64Array ? Float64Array.from(x, Number) : Float64Array.from(x as ArrayLike<number>);
}
