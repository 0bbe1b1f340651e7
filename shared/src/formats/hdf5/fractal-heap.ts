// Fractal heaps ("FRHP" header, "FHDB" direct and "FHIB" indirect blocks): the storage of dense
// links and dense attributes. Objects are found by heap ID: managed (offset + length in the
// heap's doubling-table address space), tiny (inline in the ID) or huge (separate file block).

import { Cursor, UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { limitEncSize, walkBtree2 } from "./btree.js";

interface Block {
  offset: number;
  address: number;
  size: number;
}

interface FractalHeap {
  address: number;
  idLength: number;
  offsetBytes: number;
  lengthBytes: number;
  tableWidth: number;
  startBlockSize: number;
  maxDirectRows: number;
  rootAddress: number;
  rootRows: number;
  hugeBtree: number;
  blocks: Block[] | null;
  huge: Map<number, [number, number]> | null;
}

function log2(n: number): number {
  return Math.round(Math.log2(n));
}

function readHeader(file: Hdf5File, address: number): FractalHeap {
  const o = file.offsetSize;
  const l = file.lengthSize;
  const c = file.cursor(address, 22 + 12 * l + 3 * o + 4, "fractal heap header");
  c.signature("FRHP");
  const version = c.u8();
  if (version !== 0) throw c.fail(`fractal heap version ${version}`);
  const idLength = c.u16();
  const filterLength = c.u16();
  if (filterLength > 0) throw c.unsupported("fractal heap with I/O filters", address);
  c.skip(1); // flags (bit 1: direct blocks checksummed: irrelevant for reading objects)
  const maxManaged = c.u32();
  c.length(); // next huge object id
  const hugeBtree = c.address();
  c.length(); // free space in managed blocks
  c.address(); // free-space manager
  c.skip(8 * l); // managed space, allocated, iterator offset, managed/huge/tiny sizes and counts
  const tableWidth = c.u16();
  const startBlockSize = c.length();
  const maxDirectSize = c.length();
  const maxHeapBits = c.u16();
  c.skip(2); // starting rows of the root indirect block
  const rootAddress = c.address();
  const rootRows = c.u16();
  if (tableWidth === 0 || startBlockSize === 0 || maxDirectSize < startBlockSize) {
    throw c.fail("implausible doubling table parameters", address);
  }
  const offsetBytes = Math.ceil(maxHeapBits / 8);
  // Managed object IDs: offset within the heap, then length (bytes needed for the largest object).
  const lengthBytes = Math.min(Math.ceil(log2(maxDirectSize) / 8), limitEncSize(maxManaged));
  return {
    address,
    idLength,
    offsetBytes,
    lengthBytes,
    tableWidth,
    startBlockSize,
    maxDirectRows: log2(maxDirectSize) - log2(startBlockSize) + 2,
    rootAddress,
    rootRows,
    hugeBtree,
    blocks: null,
    huge: null,
  };
}

function rowBlockSize(h: FractalHeap, row: number): number {
  return row === 0 ? h.startBlockSize : h.startBlockSize * 2 ** (row - 1);
}

/** All direct blocks of the heap with their offsets in the heap's address space, sorted. */
function directBlocks(file: Hdf5File, h: FractalHeap): Block[] {
  if (h.blocks) return h.blocks;
  const blocks: Block[] = [];
  const seen = new Set<number>();
  const indirect = (at: number, rows: number, heapOffset: number): void => {
    if (seen.has(at)) throw file.error("fractal heap indirect block", at, "visited twice");
    seen.add(at);
    const directRows = Math.min(rows, h.maxDirectRows);
    const entries = rows * h.tableWidth;
    const blockBytes = 5 + file.offsetSize + h.offsetBytes + entries * file.offsetSize;
    const c = file.cursor(at, blockBytes, "fractal heap indirect block");
    c.signature("FHIB");
    c.skip(1 + file.offsetSize + h.offsetBytes); // version, heap header address, block offset
    let offset = heapOffset;
    for (let row = 0; row < rows; row++) {
      const size = rowBlockSize(h, row);
      for (let col = 0; col < h.tableWidth; col++, offset += size) {
        const child = c.address();
        if (child === UNDEF) continue;
        if (row < directRows) blocks.push({ offset, address: child, size });
        else indirect(child, log2(size) - log2(h.startBlockSize * h.tableWidth) + 1, offset);
      }
    }
  };
  if (h.rootAddress !== UNDEF) {
    if (h.rootRows === 0) blocks.push({ offset: 0, address: h.rootAddress, size: h.startBlockSize });
    else indirect(h.rootAddress, h.rootRows, 0);
  }
  blocks.sort((a, b) => a.offset - b.offset);
  h.blocks = blocks;
  return blocks;
}

function hugeObjects(file: Hdf5File, h: FractalHeap): Map<number, [number, number]> {
  if (h.huge) return h.huge;
  const huge = new Map<number, [number, number]>();
  if (h.hugeBtree !== UNDEF) {
    walkBtree2(file, h.hugeBtree, [1, 2], (rec, header) => {
      if (header.type === 2) throw rec.unsupported("filtered huge fractal heap object");
      const address = rec.address();
      const length = rec.length();
      huge.set(rec.length(), [address, length]);
    });
  }
  h.huge = huge;
  return huge;
}

function uintAt(id: Uint8Array, from: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (id[from + i] as number);
  return v;
}

/** A cursor over the object with heap ID `id` in the fractal heap at `heapAddress`. */
export function fractalHeapObject(file: Hdf5File, heapAddress: number, id: Uint8Array, structure: string): Cursor {
  const h = file.memo("fractal heap", heapAddress, () => readHeader(file, heapAddress));
  const flags = id[0] as number;
  if (flags >> 6 !== 0) throw file.unsupported(`heap ID version ${flags >> 6}`, "fractal heap", heapAddress);
  const type = (flags >> 4) & 0x03;
  if (type === 0) {
    const offset = uintAt(id, 1, h.offsetBytes);
    const length = uintAt(id, 1 + h.offsetBytes, h.lengthBytes);
    const blocks = directBlocks(file, h);
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid] as Block;
      if (offset < b.offset) hi = mid - 1;
      else if (offset >= b.offset + b.size) lo = mid + 1;
      else {
        if (offset - b.offset + length > b.size) break;
        return file.cursor(b.address + (offset - b.offset), length, structure);
      }
    }
    throw file.error("fractal heap", heapAddress, `no direct block holds object ${offset}+${length}`);
  }
  if (type === 2) {
    // Tiny objects live in the ID itself (no file offset of their own: report the heap's).
    const tiny =
      h.idLength <= 18
        ? id.subarray(1, 2 + (flags & 0x0f))
        : id.subarray(2, 3 + (((flags & 0x0f) << 8) | (id[1] as number)));
    return new Cursor(file, tiny, heapAddress, structure);
  }
  if (type === 1) {
    if (h.idLength - 1 >= file.offsetSize + file.lengthSize) {
      // Huge object IDs that hold the address and length directly.
      const rel = uintAt(id, 1, file.offsetSize);
      const len = uintAt(id, 1 + file.offsetSize, file.lengthSize);
      if (rel === 2 ** (8 * file.offsetSize) - 1) {
        throw file.error("fractal heap", heapAddress, "huge object at an undefined address");
      }
      return file.cursor(rel + file.base, len, structure);
    }
    const key = uintAt(id, 1, Math.min(h.idLength - 1, 8));
    const found = hugeObjects(file, h).get(key);
    if (!found) throw file.error("fractal heap", heapAddress, `no huge object with ID ${key}`);
    return file.cursor(found[0], found[1], structure);
  }
  throw file.error("fractal heap", heapAddress, `heap ID type ${type}`);
}
