// Extensible array chunk index ("EAHD" header, "EAIB" index block, "EASB" secondary blocks,
// "EADB" data blocks, optionally paged): used for chunked datasets with one unlimited dimension.

import { UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { bitSet, checkBlock, readEntries, type EntryVisitor } from "./fixed-array.js";

interface Params {
  client: number;
  entrySize: number;
  offsetBytes: number;
  pageSize: number;
}

export function walkExtensibleArray(file: Hdf5File, address: number, visit: EntryVisitor): void {
  const o = file.offsetSize;
  const h = file.cursor(address, 12 + 6 * file.lengthSize + o, "extensible array header");
  h.signature("EAHD");
  const version = h.u8();
  if (version !== 0) throw h.fail(`extensible array version ${version}`);
  const client = h.u8();
  const entrySize = h.u8();
  const maxBits = h.u8();
  const indexElements = h.u8();
  const minDataElements = h.u8();
  const minPointers = h.u8();
  const pageBits = h.u8();
  h.skip(4 * file.lengthSize); // secondary/data block counts and sizes
  const maxIndex = h.length(); // one past the highest index ever set
  h.length(); // elements realized
  const indexBlock = h.address();
  if (client > 1) throw h.fail(`extensible array client ${client}`);
  if (indexBlock === UNDEF || maxIndex === 0) return;
  if (minDataElements === 0 || minPointers === 0) throw h.fail("implausible extensible array parameters", address);
  const p: Params = { client, entrySize, offsetBytes: Math.ceil(maxBits / 8), pageSize: 2 ** pageBits };
  const filtered = client === 1;

  // Super block s holds 2^floor(s/2) data blocks of 2^ceil(s/2) * minDataElements entries each.
  const superBlocks = 1 + maxBits - Math.round(Math.log2(minDataElements));
  const inIndexBlock = 2 * Math.round(Math.log2(minPointers)); // super blocks whose data blocks the index block lists
  const dataAddrs = 2 * (minPointers - 1);
  const sblockAddrs = Math.max(0, superBlocks - inIndexBlock);
  const indexBlockSize = 6 + o + indexElements * entrySize + (dataAddrs + sblockAddrs) * o;
  const c = file.cursor(indexBlock, indexBlockSize, "extensible array index block");
  checkBlock(c, "EAIB", client);
  readEntries(c, 0, Math.min(indexElements, maxIndex), entrySize, filtered, visit);
  c.pos = 6 + o + indexElements * entrySize;
  const dblocks: number[] = [];
  for (let i = 0; i < dataAddrs; i++) dblocks.push(c.address());
  const sblocks: number[] = [];
  for (let i = 0; i < sblockAddrs; i++) sblocks.push(c.address());

  let start = indexElements;
  let dblockNo = 0;
  for (let s = 0; s < superBlocks && start < maxIndex; s++) {
    const count = 2 ** Math.floor(s / 2);
    const elements = 2 ** Math.ceil(s / 2) * minDataElements;
    if (s < inIndexBlock) {
      for (let d = 0; d < count; d++, start += elements) {
        const at = dblocks[dblockNo++] ?? UNDEF;
        if (at !== UNDEF && start < maxIndex) dataBlock(file, p, at, start, elements, maxIndex, null, visit);
      }
      continue;
    }
    const sb = sblocks[s - inIndexBlock] ?? UNDEF;
    if (sb !== UNDEF) secondaryBlock(file, p, sb, start, count, elements, maxIndex, visit);
    start += count * elements;
  }
}

function secondaryBlock(
  file: Hdf5File,
  p: Params,
  address: number,
  start: number,
  count: number,
  elements: number,
  maxIndex: number,
  visit: EntryVisitor,
): void {
  const o = file.offsetSize;
  const paged = elements > p.pageSize;
  const bitmapBytes = paged ? Math.ceil(elements / p.pageSize / 8) : 0;
  const c = file.cursor(address, 6 + o + p.offsetBytes + count * (bitmapBytes + o), "extensible array secondary block");
  checkBlock(c, "EASB", p.client);
  c.skip(p.offsetBytes); // block offset
  const bitmaps = c.take(count * bitmapBytes);
  for (let d = 0; d < count; d++) {
    const at = c.address();
    const first = start + d * elements;
    if (at === UNDEF || first >= maxIndex) continue;
    const bitmap = paged ? bitmaps.subarray(d * bitmapBytes, (d + 1) * bitmapBytes) : null;
    dataBlock(file, p, at, first, elements, maxIndex, bitmap, visit);
  }
}

function dataBlock(
  file: Hdf5File,
  p: Params,
  address: number,
  first: number,
  elements: number,
  maxIndex: number,
  bitmap: Uint8Array | null,
  visit: EntryVisitor,
): void {
  const prefix = 6 + file.offsetSize + p.offsetBytes;
  const filtered = p.client === 1;
  if (elements <= p.pageSize) {
    const c = file.cursor(address, prefix + elements * p.entrySize, "extensible array data block");
    checkBlock(c, "EADB", p.client);
    c.skip(p.offsetBytes);
    readEntries(c, first, Math.min(elements, maxIndex - first), p.entrySize, filtered, visit);
    return;
  }
  if (!bitmap) {
    const feature = "paged extensible array data block listed in the index block";
    throw file.unsupported(feature, "extensible array data block", address);
  }
  const head = file.cursor(address, prefix, "extensible array data block");
  checkBlock(head, "EADB", p.client);
  const pagesStart = address + prefix + 4; // after the block's checksum
  for (let pg = 0; pg * p.pageSize < elements; pg++) {
    const from = first + pg * p.pageSize;
    if (from >= maxIndex) break;
    if (!bitSet(bitmap, pg)) continue;
    const pageAt = pagesStart + pg * (p.pageSize * p.entrySize + 4); // each page ends with a checksum
    const page = file.cursor(pageAt, p.pageSize * p.entrySize, "extensible array data block page");
    readEntries(page, from, Math.min(p.pageSize, maxIndex - from), p.entrySize, filtered, visit);
  }
}
