import type { Metadata, Module as H5ModuleValue } from "h5wasm/node";
import { exactNumber } from "../formats/layout.js";

// Attribute values through h5wasm's module functions, two library calls per attribute (its
// metadata, then its bytes). h5wasm's `Attribute` object asks for the metadata again for every
// value it reads, which made describing a file cost several times the HDF5 work itself.
// Numbers and strings are decoded here as h5wasm's `json_value` decodes them; every other type
// (compound, enum, array, vlen sequences, references) is left to h5wasm itself.

export type H5Calls = typeof H5ModuleValue;

/** One attribute as h5wasm's `json_value` gives it, with the metadata its decoding depends on. */
export interface AttributeRead {
  value: unknown;
  metadata: Metadata;
}

const FLOAT_ARRAYS: Record<number, Float32ArrayConstructor | Float64ArrayConstructor> = { 4: Float32Array, 8: Float64Array };
const SIGNED_ARRAYS: Record<number, Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor> = { 1: Int8Array, 2: Int16Array, 4: Int32Array, 8: BigInt64Array };
const UNSIGNED_ARRAYS: Record<number, Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor | BigUint64ArrayConstructor> = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array };

const decoders = { ascii: new TextDecoder("ascii"), utf8: new TextDecoder("utf-8") };

/** The elements of a numeric attribute: numbers, and 64-bit integers beyond 2^53 as bigints (h5wasm itself rounds them through Number). */
function numbers(bytes: Uint8Array, m: Metadata): (number | bigint)[] | undefined {
  const Arr = m.type === 1 ? FLOAT_ARRAYS[m.size] : m.signed ? SIGNED_ARRAYS[m.size] : UNSIGNED_ARRAYS[m.size];
  if (Arr === undefined) return undefined;
  return Array.from(new Arr(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / m.size) as ArrayLike<number | bigint>, exactNumber);
}

/** Fixed-length strings: each element up to its first NUL, decoded in the type's character set. */
function fixedStrings(bytes: Uint8Array, m: Metadata): string[] {
  const decoder = m.cset === 1 ? decoders.utf8 : decoders.ascii;
  const out: string[] = [];
  for (let at = 0; at + m.size <= bytes.length; at += m.size) {
    const element = bytes.subarray(at, at + m.size);
    const nul = element.indexOf(0);
    out.push(decoder.decode(nul < 0 ? element : element.subarray(0, nul)));
  }
  return out;
}

/** Whether this module decodes the type itself (plain numbers and strings). */
function decodable(m: Metadata): boolean {
  if (m.size <= 0) return false;
  if (m.type === 3) return true;
  if (m.type === 1) return FLOAT_ARRAYS[m.size] !== undefined;
  return m.type === 0 && SIGNED_ARRAYS[m.size] !== undefined;
}

/**
 * Reads attribute `name` of the object at `path`; `fallback` reads it through h5wasm's own
 * decoding (types this module does not decode).
 */
export function readAttribute(lib: H5Calls, fileId: bigint, path: string, name: string, fallback: () => unknown): AttributeRead {
  const metadata = lib.get_attribute_metadata(fileId, path, name);
  if (!metadata.shape) return { value: null, metadata };
  if (!decodable(metadata)) return { value: fallback(), metadata };
  const nbytes = metadata.size * metadata.total_size;
  const ptr = lib._malloc(Math.max(1, nbytes));
  if (ptr === 0) throw new Error(`Memory allocation of ${nbytes} bytes failed`);
  let elements: unknown[];
  try {
    lib.get_attribute_data(fileId, path, name, BigInt(ptr));
    if (metadata.type === 3 && metadata.vlen) {
      const read = metadata.cset === 1 ? lib.UTF8ToString : lib.AsciiToString;
      const pointers = new Uint32Array(lib.HEAPU8.slice(ptr, ptr + nbytes).buffer);
      elements = Array.from(pointers, (p) => read(p));
    } else {
      const bytes = lib.HEAPU8.slice(ptr, ptr + nbytes);
      elements = metadata.type === 3 ? fixedStrings(bytes, metadata) : (numbers(bytes, metadata) ?? []);
    }
  } finally {
    if (metadata.vlen) lib.reclaim_vlen_memory(fileId, path, name, BigInt(ptr));
    lib._free(ptr);
  }
  // h5wasm gives a scalar (empty shape) as its one element, anything else as a flat list.
  return { value: metadata.shape.length === 0 ? elements[0] : elements, metadata };
}
