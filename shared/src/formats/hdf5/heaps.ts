// Global heap collections ("GCOL": variable-length data of attributes and fill values) and
// local heaps ("HEAP": link names of symbol-table groups).

import { UNDEF } from "./cursor.js";
import { MAX_STRUCTURE_BYTES, type Hdf5File } from "./file.js";

interface Collection {
  bytes: Uint8Array;
  /** Object index → [start, size] within `bytes`. */
  objects: Map<number, [number, number]>;
}

function readCollection(file: Hdf5File, address: number): Collection {
  const head = file.cursor(address, 8 + file.lengthSize, "global heap collection");
  head.signature("GCOL");
  const version = head.u8();
  if (version !== 1) throw head.fail(`global heap version ${version}`);
  head.skip(3);
  const size = head.length();
  const c = file.cursor(address, size, "global heap collection");
  // The collection header, each object header and each object's data are padded to 8 bytes.
  const headerSize = align8(8 + file.lengthSize);
  c.skip(headerSize);
  const objects = new Map<number, [number, number]>();
  while (c.remaining >= headerSize) {
    const at = c.pos;
    const index = c.u16();
    if (index === 0) break; // free space: the rest of the collection
    c.skip(2 + 4); // reference count, reserved
    const objSize = c.length();
    c.pos = at + headerSize;
    c.need(objSize);
    objects.set(index, [c.pos, objSize]);
    c.skip(Math.min(align8(objSize), c.remaining));
  }
  return { bytes: c.bytes, objects };
}

/** The bytes of object `index` of the global heap collection at `address`. */
export function globalHeapObject(file: Hdf5File, address: number, index: number): Uint8Array {
  if (address === UNDEF) throw file.error("global heap collection", address, "undefined address");
  const col = file.memo("global heap", address, () => readCollection(file, address));
  const o = col.objects.get(index);
  if (!o) throw file.error("global heap collection", address, `no object with index ${index}`);
  return col.bytes.subarray(o[0], o[0] + o[1]);
}

/** The data segment of the local heap at `address` (cached). */
export function localHeapData(file: Hdf5File, address: number): { bytes: Uint8Array; origin: number } {
  return file.memo("local heap", address, () => {
    const c = file.cursor(address, 8 + 2 * file.lengthSize + file.offsetSize, "local heap");
    c.signature("HEAP");
    const version = c.u8();
    if (version !== 0) throw c.fail(`local heap version ${version}`);
    c.skip(3);
    const size = c.length();
    c.length(); // free list head
    const data = c.address();
    if (size > MAX_STRUCTURE_BYTES) throw file.tooLarge("local heap data segment", data, size);
    return { bytes: file.source.read(data, size), origin: data };
  });
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
