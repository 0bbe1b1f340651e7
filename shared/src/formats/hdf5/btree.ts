// Version 1 B-trees ("TREE": symbol-table groups, chunk indexes of layout v3) and version 2
// B-trees ("BTHD"/"BTIN"/"BTLF": dense links and attributes, huge heap objects, v4 chunk indexes).
// Both walkers visit every record once and read every node once.

import { Cursor, UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";

const MAX_DEPTH = 64;

/**
 * Visits every leaf entry of the v1 B-tree at `address`: `key` is positioned at the key that
 * precedes the child (group nodes: heap offset; chunk nodes: size, mask, offsets).
 */
export function walkBtree1(
  file: Hdf5File,
  address: number,
  nodeType: 0 | 1,
  keySize: number,
  visit: (key: Cursor, child: number) => void,
): void {
  const seen = new Set<number>();
  const node = (at: number, depth: number, expectLevel: number): void => {
    if (seen.has(at) || depth > MAX_DEPTH) throw file.error("v1 B-tree node", at, "cycle or excessive depth");
    seen.add(at);
    const head = file.cursor(at, 8, "v1 B-tree node");
    head.signature("TREE");
    const type = head.u8();
    const level = head.u8();
    const entries = head.u16();
    if (type !== nodeType) throw head.fail(`node type ${type}, expected ${nodeType}`, at);
    if (expectLevel >= 0 && level !== expectLevel) throw head.fail(`level ${level}, expected ${expectLevel}`, at);
    const o = file.offsetSize;
    const c = file.cursor(at, 8 + 2 * o + entries * (keySize + o) + keySize, "v1 B-tree node");
    c.skip(8 + 2 * o); // siblings
    for (let i = 0; i < entries; i++) {
      const keyAt = c.pos;
      c.skip(keySize);
      const child = c.address();
      if (child === UNDEF) throw c.fail("undefined child address");
      if (level > 0) node(child, depth + 1, level - 1);
      else visit(new Cursor(file, c.bytes, c.origin, "v1 B-tree key", keyAt, keyAt + keySize, c.view), child);
    }
  };
  if (address !== UNDEF) node(address, 0, -1);
}

export interface Btree2Header {
  type: number;
  nodeSize: number;
  recordSize: number;
  depth: number;
  root: number;
  rootRecords: number;
  total: number;
  /** Bytes of the "number of records" field of child pointers. */
  nrecBytes: number;
  /** Per depth, bytes of the "total records below" field (0 at the leaves). */
  cumBytes: number[];
}

/** Bytes needed to encode `n` (HDF5's "limit encode size"). */
export function limitEncSize(n: number): number {
  return n < 1 ? 1 : Math.floor(Math.floor(Math.log2(n)) / 8) + 1;
}

export function readBtree2Header(file: Hdf5File, address: number): Btree2Header {
  return file.memo("v2 B-tree header", address, () => {
    const c = file.cursor(address, 16 + file.offsetSize + 2 + file.lengthSize + 4, "v2 B-tree header");
    c.signature("BTHD");
    const version = c.u8();
    if (version !== 0) throw c.fail(`v2 B-tree version ${version}`);
    const type = c.u8();
    const nodeSize = c.u32();
    const recordSize = c.u16();
    const depth = c.u16();
    c.skip(2); // split and merge percentages
    const root = c.address();
    const rootRecords = c.u16();
    const total = c.length();
    if (recordSize === 0 || nodeSize <= 10 || depth > MAX_DEPTH) {
      throw c.fail("implausible node or record size", address);
    }
    const leafMax = Math.floor((nodeSize - 10) / recordSize);
    const nrecBytes = limitEncSize(leafMax);
    const cumBytes = [0];
    let cumMax = leafMax;
    for (let d = 1; d <= depth; d++) {
      const pointer = file.offsetSize + nrecBytes + (cumBytes[d - 1] as number);
      const intMax = Math.floor((nodeSize - (10 + pointer)) / (recordSize + pointer));
      cumMax = (intMax + 1) * cumMax + intMax;
      cumBytes.push(limitEncSize(cumMax));
    }
    return { type, nodeSize, recordSize, depth, root, rootRecords, total, nrecBytes, cumBytes };
  });
}

/** Visits every record of the v2 B-tree at `address`, `rec` positioned at the record. */
export function walkBtree2(
  file: Hdf5File,
  address: number,
  types: readonly number[],
  visit: (rec: Cursor, header: Btree2Header) => void,
): Btree2Header {
  const h = readBtree2Header(file, address);
  if (!types.includes(h.type)) {
    throw file.error("v2 B-tree header", address, `record type ${h.type}, expected ${types.join(" or ")}`);
  }
  // Each node once: children shared between parents would make the walk exponential.
  const seen = new Set<number>();
  const node = (at: number, records: number, depth: number): void => {
    const leaf = depth === 0;
    const structure = leaf ? "v2 B-tree leaf node" : "v2 B-tree internal node";
    if (seen.has(at)) throw file.error(structure, at, "node reached twice (a loop or shared child)");
    seen.add(at);
    const c = file.cursorUpTo(at, h.nodeSize, structure);
    c.signature(leaf ? "BTLF" : "BTIN");
    c.skip(2); // version, type
    const first = c.pos;
    c.skip(records * h.recordSize);
    for (let i = 0; i < records; i++) {
      const at = first + i * h.recordSize;
      visit(new Cursor(file, c.bytes, c.origin, "v2 B-tree record", at, at + h.recordSize, c.view), h);
    }
    if (leaf) return;
    for (let i = 0; i <= records; i++) {
      const child = c.address();
      const n = c.uint(h.nrecBytes);
      if (depth > 1) c.skip(h.cumBytes[depth - 1] as number);
      if (child === UNDEF) throw c.fail("undefined child node address");
      node(child, n, depth - 1);
    }
  };
  if (h.root !== UNDEF && h.rootRecords > 0) node(h.root, h.rootRecords, h.depth);
  return h;
}
