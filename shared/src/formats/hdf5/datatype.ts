// Datatype messages (all classes, versions 1–3; version 4 only where it is encoded like 3),
// and their numpy type strings for the layout contract.

import type { DataType } from "../layout.js";
import type { Cursor } from "./cursor.js";

export type H5Type =
  | { cls: "int"; size: number; signed: boolean; little: boolean; bitOffset: number; precision: number }
  | { cls: "float"; size: number; little: boolean }
  | { cls: "string"; size: number; pad: number }
  | { cls: "vlen-string"; size: number; pad: number }
  | { cls: "vlen"; size: number; base: H5Type }
  | { cls: "compound"; size: number; members: { name: string; offset: number; type: H5Type }[] }
  | { cls: "reference"; size: number; refType: number; version: number }
  | { cls: "enum"; size: number; base: H5Type; names: string[]; values: Uint8Array[] }
  | { cls: "opaque"; size: number }
  | { cls: "bitfield"; size: number; little: boolean }
  | { cls: "array"; size: number; dims: number[]; base: H5Type }
  | { cls: "time"; size: number };

/** Nesting of compound, enum, vlen and array types beyond which a datatype is taken as corrupt. */
const MAX_TYPE_DEPTH = 32;

/** Parses one datatype description at the cursor (advancing past it, nested types included). */
export function parseDatatype(c: Cursor, depth = 0): H5Type {
  const start = c.offset;
  if (depth > MAX_TYPE_DEPTH) throw c.fail(`datatype nested more than ${MAX_TYPE_DEPTH} levels deep`, start);
  const classAndVersion = c.u8();
  const cls = classAndVersion & 0x0f;
  const version = classAndVersion >> 4;
  const b0 = c.u8();
  const b1 = c.u8();
  c.u8(); // bit field byte 2
  const size = c.u32();
  if (version < 1 || version > 4) throw c.unsupported(`datatype message version ${version}`, start);
  if (size === 0) throw c.fail("datatype of size 0", start);
  switch (cls) {
    case 0: {
      const bitOffset = c.u16();
      const precision = c.u16();
      return { cls: "int", size, signed: (b0 & 0x08) !== 0, little: (b0 & 0x01) === 0, bitOffset, precision };
    }
    case 1: {
      if (b0 & 0x40) throw c.unsupported("VAX-endian floating point", start);
      c.skip(12); // bit offset, precision, exponent and mantissa layout, bias
      return { cls: "float", size, little: (b0 & 0x01) === 0 };
    }
    case 2:
      c.skip(2);
      return { cls: "time", size };
    case 3:
      return { cls: "string", size, pad: b0 & 0x0f };
    case 4:
      c.skip(4);
      return { cls: "bitfield", size, little: (b0 & 0x01) === 0 };
    case 5:
      c.skip(b0); // ASCII tag, NUL-padded to a multiple of 8
      return { cls: "opaque", size };
    case 6:
      return parseCompound(c, size, version, b0 | (b1 << 8), depth);
    case 7:
      if (version >= 4) throw c.unsupported("revised (HDF5 1.12) reference datatype", start);
      return { cls: "reference", size, refType: b0 & 0x0f, version };
    case 8:
      return parseEnum(c, size, version, b0 | (b1 << 8), depth);
    case 9: {
      const base = parseDatatype(c, depth + 1);
      if ((b0 & 0x0f) === 1) return { cls: "vlen-string", size, pad: (b0 >> 4) & 0x0f };
      return { cls: "vlen", size, base };
    }
    case 10: {
      const rank = c.u8();
      if (version < 3) c.skip(3);
      const dims: number[] = [];
      for (let i = 0; i < rank; i++) dims.push(c.u32());
      if (version < 3) c.skip(4 * rank); // permutation indices
      return { cls: "array", size, dims, base: parseDatatype(c, depth + 1) };
    }
    default:
      throw c.unsupported(`datatype class ${cls}`, start);
  }
}

function paddedName(c: Cursor, version: number): string {
  const from = c.pos;
  const name = c.cstring();
  if (version < 3) c.align(8, from);
  return name;
}

function parseCompound(c: Cursor, size: number, version: number, count: number, depth: number): H5Type {
  const members: { name: string; offset: number; type: H5Type }[] = [];
  const offsetBytes = size < 0x100 ? 1 : size < 0x10000 ? 2 : size < 0x1000000 ? 3 : 4;
  for (let i = 0; i < count; i++) {
    const name = paddedName(c, version);
    const offset = version >= 3 ? c.uint(offsetBytes) : c.u32();
    if (version === 1) c.skip(1 + 3 + 4 + 4 + 16); // dimensionality, reserved, permutation, reserved, dims
    members.push({ name, offset, type: parseDatatype(c, depth + 1) });
  }
  return { cls: "compound", size, members };
}

function parseEnum(c: Cursor, size: number, version: number, count: number, depth: number): H5Type {
  const base = parseDatatype(c, depth + 1);
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(paddedName(c, version));
  const values: Uint8Array[] = [];
  for (let i = 0; i < count; i++) values.push(c.take(base.size));
  return { cls: "enum", size, base, names, values };
}

const TYPE_KIND = {
  int: "int",
  float: "float",
  string: "char",
  "vlen-string": "vlen-string",
  vlen: "vlen",
  compound: "compound",
  reference: "reference",
  enum: "enum",
  opaque: "opaque",
  bitfield: "bitfield",
} as const;

/** The layout contract's description of a dataset's element type. */
export function toDataType(t: H5Type, c: Cursor): DataType {
  switch (t.cls) {
    case "int":
      return {
        kind: t.signed ? "int" : "uint",
        typestr: numeric(t.signed ? "i" : "u", t.size, t.little, c),
        size: t.size,
      };
    case "float":
      return { kind: "float", typestr: numeric("f", t.size, t.little, c), size: t.size };
    case "enum": {
      const base = toDataType(t.base, c);
      return { kind: "enum", typestr: base.typestr, size: t.size };
    }
    case "bitfield":
      return { kind: "bitfield", typestr: numeric("u", t.size, t.little, c), size: t.size };
    case "string":
      return { kind: TYPE_KIND.string, typestr: `|S${t.size}`, size: t.size };
    case "vlen-string":
    case "vlen":
    case "reference":
      return { kind: TYPE_KIND[t.cls], typestr: "|O", size: t.size };
    case "compound":
    case "opaque":
      return { kind: TYPE_KIND[t.cls], typestr: `|V${t.size}`, size: t.size };
    case "array":
      throw c.unsupported("array datatype for a dataset");
    case "time":
      throw c.unsupported("time datatype");
  }
}

function numeric(letter: string, size: number, little: boolean, c: Cursor): string {
  const sizes = letter === "f" ? [2, 4, 8] : [1, 2, 4, 8];
  if (!sizes.includes(size)) throw c.unsupported(`${size}-byte ${letter === "f" ? "floating point" : "integer"} type`);
  return `${size === 1 ? "|" : little ? "<" : ">"}${letter}${size}`;
}
