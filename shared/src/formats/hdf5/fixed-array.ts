// Fixed array chunk index ("FAHD" header, "FADB" data block, optionally paged): one entry per
// chunk of the dataset's maximum extent, in row-major order of the chunk grid.

import { Cursor, UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";

/** Called per defined entry: linear chunk index, address, stored size (-1: unfiltered), filter mask. */
export type EntryVisitor = (linear: number, address: number, size: number, mask: number) => void;

/** Reads `count` index entries (chunk address [, size, filter mask]) at the cursor. */
export function readEntries(
  c: Cursor,
  first: number,
  count: number,
  entrySize: number,
  filtered: boolean,
  visit: EntryVisitor,
): void {
  const o = c.ctx.offsetSize;
  const sizeBytes = entrySize - o - 4;
  if (entrySize < o || (filtered && sizeBytes < 1)) throw c.fail(`chunk index entry size ${entrySize}`);
  for (let i = 0; i < count; i++) {
    const at = c.pos;
    const address = c.address();
    let size = -1;
    let mask = 0;
    if (filtered) {
      size = c.uint(sizeBytes);
      mask = c.u32();
    }
    c.pos = at + entrySize;
    if (address !== UNDEF) visit(first + i, address, size, mask);
  }
}

/** True when bit `i` of an HDF5 bitmap (most significant bit first) is set. */
export function bitSet(bitmap: Uint8Array, i: number): boolean {
  return (((bitmap[i >> 3] as number) >> (7 - (i & 7))) & 1) === 1;
}

export function walkFixedArray(file: Hdf5File, address: number, visit: EntryVisitor): void {
  const o = file.offsetSize;
  const h = file.cursor(address, 12 + file.lengthSize + o, "fixed array header");
  h.signature("FAHD");
  const version = h.u8();
  if (version !== 0) throw h.fail(`fixed array version ${version}`);
  const client = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = h.length();
  const dataBlock = h.address();
  if (client > 1) throw h.fail(`fixed array client ${client}`);
  if (dataBlock === UNDEF || count === 0) return;
  const filtered = client === 1;
  const prefix = 6 + o;
  const pageSize = 2 ** pageBits;
  if (count <= pageSize) {
    const c = file.cursor(dataBlock, prefix + count * entrySize, "fixed array data block");
    checkBlock(c, "FADB", client);
    readEntries(c, 0, count, entrySize, filtered, visit);
    return;
  }
  const pages = Math.ceil(count / pageSize);
  const bitmapBytes = Math.ceil(pages / 8);
  const c = file.cursor(dataBlock, prefix + bitmapBytes, "fixed array data block");
  checkBlock(c, "FADB", client);
  const bitmap = c.take(bitmapBytes);
  const pagesStart = dataBlock + prefix + bitmapBytes + 4;
  for (let p = 0; p < pages; p++) {
    if (!bitSet(bitmap, p)) continue; // page never written: all its chunks are unallocated
    const n = Math.min(pageSize, count - p * pageSize);
    const page = file.cursor(pagesStart + p * (pageSize * entrySize + 4), n * entrySize, "fixed array data block page");
    readEntries(page, p * pageSize, n, entrySize, filtered, visit);
  }
}

/** Checks the signature, version and client of an array block and skips the header address. */
export function checkBlock(c: Cursor, signature: string, client: number): void {
  c.signature(signature);
  const version = c.u8();
  if (version !== 0) throw c.fail(`${signature} version ${version}`);
  const cl = c.u8();
  if (cl !== client) throw c.fail(`client ${cl}, header says ${client}`);
  c.address(); // header address
}
