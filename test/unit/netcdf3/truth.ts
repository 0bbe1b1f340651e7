// Ground truth written by scripts/fixtures/netcdf3/truth.py (libnetcdf via netCDF4-python), and
// decoding of the bytes a layout points at, so the tests can compare values, not offsets.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AttributeValue, Storage } from "../../../shared/src/formats/layout.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/netcdf3/", import.meta.url));

/** Floats: number | "NaN" | "Infinity" | "-Infinity"; 64-bit integers: decimal strings; chars: byte values. */
export type TruthValue = number | string;

export interface TruthAttribute {
  type: string;
  value: string | TruthValue[];
}

export interface TruthVariable {
  name: string;
  dimensions: string[];
  shape: number[];
  typestr: string;
  kind: string;
  size: number;
  record: boolean;
  attributes: Record<string, TruthAttribute>;
  values: TruthValue[];
}

export interface Truth {
  fixture: string;
  size: number;
  dataFrom?: string;
  format: string;
  dimensions: { name: string; size: number; unlimited: boolean }[];
  attributes: Record<string, TruthAttribute>;
  variables: TruthVariable[];
}

export const fixturePath = (name: string): string => FIXTURES + name;

export function fixturesWithTruth(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".nc") && !f.startsWith("broken."))
    .sort();
}

export function loadTruth(fixture: string): Truth {
  return JSON.parse(readFileSync(fixturePath(`${fixture}.truth.json`), "utf8")) as Truth;
}

const SAFE = 2n ** 53n - 1n;

function numberFromTruth(v: TruthValue): number | bigint {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  const b = BigInt(v); // 64-bit integers: exact, a bigint where a double would round them
  return b >= -SAFE && b <= SAFE ? Number(b) : b;
}

/** What the layout should report for a truth attribute: string, or number / number[] (bigints beyond 2^53). */
export function expectedAttribute(a: TruthAttribute): AttributeValue {
  if (typeof a.value === "string") return a.value;
  const values = a.value.map(numberFromTruth);
  return values.length === 1 ? (values[0] as number | bigint) : values;
}

export function expectedAttributes(attrs: Record<string, TruthAttribute>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, expectedAttribute(v)]));
}

const floatValue = (x: number): TruthValue =>
  Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : x;

/** Decodes big-endian values of `typestr` in the truth file's encoding. */
export function decodeValues(bytes: Uint8Array, typestr: string): TruthValue[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: Record<string, [number, (at: number) => TruthValue]> = {
    "|i1": [1, (at) => view.getInt8(at)],
    "|u1": [1, (at) => view.getUint8(at)],
    "|S1": [1, (at) => view.getUint8(at)],
    ">i2": [2, (at) => view.getInt16(at)],
    ">u2": [2, (at) => view.getUint16(at)],
    ">i4": [4, (at) => view.getInt32(at)],
    ">u4": [4, (at) => view.getUint32(at)],
    ">f4": [4, (at) => floatValue(view.getFloat32(at))],
    ">f8": [8, (at) => floatValue(view.getFloat64(at))],
    ">i8": [8, (at) => view.getBigInt64(at).toString()],
    ">u8": [8, (at) => view.getBigUint64(at).toString()],
  };
  const entry = read[typestr];
  if (entry === undefined) throw new Error(`no decoder for ${typestr}`);
  const [size, get] = entry;
  if (bytes.length % size !== 0) throw new Error(`${bytes.length} bytes is not a whole number of ${typestr} values`);
  return Array.from({ length: bytes.length / size }, (_, i) => get(i * size));
}

/** The byte ranges a storage description covers, in element order. */
export function rangesOf(storage: Storage): [number, number][] {
  switch (storage.kind) {
    case "contiguous":
      return [[storage.offset, storage.length]];
    case "records":
      return Array.from({ length: storage.count }, (_, r): [number, number] => [storage.offset + r * storage.stride, storage.length]);
    case "unallocated":
      return [];
    default:
      throw new Error(`netCDF3 layouts have no ${storage.kind} storage`);
  }
}

/** Reads the file (directly, not through the reader) at the storage's ranges and decodes the values. */
export function valuesAt(file: Uint8Array, storage: Storage, typestr: string): TruthValue[] {
  return rangesOf(storage).flatMap(([offset, length]) => {
    if (offset + length > file.length) throw new Error(`range ${offset}+${length} is past the end of the file (${file.length})`);
    return decodeValues(file.subarray(offset, offset + length), typestr);
  });
}
