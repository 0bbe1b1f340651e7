// Decoding of attribute values and fill values into JSON-friendly numbers and strings,
// and of the object references of DIMENSION_LIST attributes.

import { exactInteger, type AttributeValue } from "../layout.js";
import { Cursor, decodeText } from "./cursor.js";
import type { H5Type } from "./datatype.js";
import type { Hdf5File } from "./file.js";
import { globalHeapObject } from "./heaps.js";
import type { RawAttribute } from "./attributes.js";

/** One element of a numeric type at the cursor (advancing past it); a 64-bit integer beyond 2^53 as a bigint. */
function numberAt(c: Cursor, t: H5Type, what: string): number | bigint {
  const at = c.pos;
  c.need(t.size);
  const v = c.view;
  if (t.cls === "int") {
    if (t.bitOffset !== 0 || t.precision !== t.size * 8) {
      throw c.unsupported(`${what} of a ${t.precision}-bit integer type at bit offset ${t.bitOffset}`);
    }
    const le = t.little;
    let n: number | bigint;
    switch (t.size) {
      case 1: n = t.signed ? v.getInt8(at) : v.getUint8(at); break;
      case 2: n = t.signed ? v.getInt16(at, le) : v.getUint16(at, le); break;
      case 4: n = t.signed ? v.getInt32(at, le) : v.getUint32(at, le); break;
      case 8: n = exactInteger(t.signed ? v.getBigInt64(at, le) : v.getBigUint64(at, le)); break;
      default: throw c.unsupported(`${what} of a ${t.size}-byte integer type`);
    }
    c.pos += t.size;
    return n;
  }
  if (t.cls === "float") {
    let n: number;
    if (t.size === 4) n = v.getFloat32(at, t.little);
    else if (t.size === 8) n = v.getFloat64(at, t.little);
    else if (t.size === 2) n = half(v.getUint16(at, t.little));
    else throw c.unsupported(`${what} of a ${t.size}-byte floating point type`);
    c.pos += t.size;
    return n;
  }
  if (t.cls === "enum") return numberAt(c, t.base, what);
  throw c.unsupported(`${what} of datatype class ${t.cls}`);
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A fixed-length string element: NUL-terminated → up to the first NUL; padded → padding stripped. */
function fixedString(c: Cursor, size: number, pad: number): string {
  const bytes = c.take(size);
  let end = size;
  if (pad === 0) {
    const nul = bytes.indexOf(0);
    if (nul >= 0) end = nul;
  } else {
    const filler = pad === 2 ? 0x20 : 0;
    while (end > 0 && bytes[end - 1] === filler) end--;
  }
  return decodeText(bytes, 0, end);
}

/** A variable-length string element (length, global heap collection, object index). */
export function vlenString(file: Hdf5File, c: Cursor): string {
  const length = c.u32();
  const collection = c.address();
  const index = c.u32();
  if (length === 0) return "";
  const obj = globalHeapObject(file, collection, index);
  if (obj.length < length) {
    throw c.fail(`variable-length string of ${length} bytes in a ${obj.length}-byte heap object`);
  }
  return decodeText(obj, 0, length);
}

function isBooleanEnum(t: H5Type): boolean {
  return t.cls === "enum" && t.names.length === 2 && t.names[0] === "FALSE" && t.names[1] === "TRUE";
}

/** An attribute's value: numbers, strings (or booleans for h5py's bool enum); arrays of one → scalar. */
export function attributeValue(file: Hdf5File, a: RawAttribute): AttributeValue {
  const t = a.type;
  const isText = t.cls === "string" || t.cls === "vlen-string";
  if (a.space.kind === "null") return isText ? "" : null;
  let count = 1;
  for (const d of a.space.dims) count *= d;
  const c = new Cursor(file, a.data.bytes, a.data.origin, a.data.structure, a.data.pos, a.data.end, a.data.view);
  const what = `attribute "${a.name}"`;
  if (isText) {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      out.push(t.cls === "string" ? fixedString(c, t.size, t.pad) : vlenString(file, c));
    }
    return count === 1 ? (out[0] as string) : out;
  }
  if (isBooleanEnum(t) && count === 1) return Number(numberAt(c, t, what)) !== 0;
  if (t.cls !== "int" && t.cls !== "float" && t.cls !== "enum") {
    throw c.unsupported(`${what} of datatype class ${t.cls}`);
  }
  const out: (number | bigint)[] = [];
  for (let i = 0; i < count; i++) out.push(numberAt(c, t, what));
  return count === 1 ? (out[0] as number | bigint) : out;
}

/** The dataset's stored fill value, decoded (strings for string types, numbers otherwise). */
export function fillValue(file: Hdf5File, t: H5Type, bytes: Uint8Array, at: number): number | bigint | string {
  const c = new Cursor(file, bytes, at, "fill value");
  if (bytes.length < t.size) throw c.fail(`fill value of ${bytes.length} bytes for a ${t.size}-byte type`);
  if (t.cls === "string") return fixedString(c, t.size, t.pad);
  if (t.cls === "vlen-string") return vlenString(file, c);
  if (t.cls === "int" || t.cls === "float" || t.cls === "enum") return numberAt(c, t, "fill value");
  throw c.unsupported(`fill value of datatype class ${t.cls}`);
}

/** One member value of an enumerated type, as its base integer type reads it. */
export function enumValue(file: Hdf5File, t: Extract<H5Type, { cls: "enum" }>, bytes: Uint8Array): number {
  return Number(numberAt(new Cursor(file, bytes, 0, "enumeration member value"), t.base, "enumeration member value"));
}

/**
 * DIMENSION_LIST: per dimension, the object header addresses of the attached dimension scales
 * (a variable-length sequence of object references per dimension).
 */
export function dimensionList(file: Hdf5File, a: RawAttribute): number[][] {
  const t = a.type;
  const c = new Cursor(file, a.data.bytes, a.data.origin, a.data.structure, a.data.pos, a.data.end, a.data.view);
  if (t.cls !== "vlen" || t.base.cls !== "reference" || t.base.refType !== 0) {
    throw c.unsupported("DIMENSION_LIST attribute that is not a list of object references");
  }
  const out: number[][] = [];
  const count = a.space.kind === "null" ? 0 : a.space.dims.reduce((n, d) => n * d, 1);
  for (let i = 0; i < count; i++) {
    const length = c.u32();
    const collection = c.address();
    const index = c.u32();
    const refs: number[] = [];
    if (length > 0) {
      const obj = globalHeapObject(file, collection, index);
      const r = new Cursor(file, obj, collection, "DIMENSION_LIST references");
      for (let k = 0; k < length; k++) refs.push(r.address());
    }
    out.push(refs);
  }
  return out;
}

/** A string attribute's value (CLASS, NAME), or null when it is not text. */
export function textAttribute(file: Hdf5File, a: RawAttribute | undefined): string | null {
  if (!a || (a.type.cls !== "string" && a.type.cls !== "vlen-string")) return null;
  const v = attributeValue(file, a);
  return typeof v === "string" ? v : null;
}
