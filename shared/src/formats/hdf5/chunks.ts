// Chunk indexes of chunked datasets: v1 B-tree (layout v3), and the layout v4 indexes (single
// chunk, implicit, fixed array, extensible array, v2 B-tree). Returns every stored chunk.

import type { ChunkRef, Storage } from "../layout.js";
import { UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { walkBtree1, walkBtree2 } from "./btree.js";
import { walkExtensibleArray } from "./extensible-array.js";
import { walkFixedArray } from "./fixed-array.js";
import type { LayoutInfo } from "./messages.js";

type Chunked = Extract<LayoutInfo, { cls: "chunked" }>;

export interface ChunkContext {
  layout: Chunked;
  shape: number[];
  maxShape: (number | null)[];
  /** Number of filters in the dataset's pipeline. */
  filters: number;
  /** Absolute offset of the layout message (for error messages). */
  at: number;
}

/** Row-major strides of a chunk grid with `counts` chunks per dimension, the unlimited one first. */
function strides(counts: number[]): number[] {
  const s = new Array<number>(counts.length).fill(1);
  for (let i = counts.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (counts[i + 1] as number);
  return s;
}

export function readChunks(file: Hdf5File, ctx: ChunkContext): Storage {
  const { layout, shape, maxShape } = ctx;
  const rank = layout.chunk.length;
  if (rank !== shape.length) {
    throw file.error("data layout message", ctx.at, `chunk rank ${rank} differs from dataspace rank ${shape.length}`);
  }
  if (layout.address === UNDEF) return { kind: "unallocated" };
  const chunk = layout.chunk;
  const chunkBytes = chunk.reduce((n, d) => n * d, layout.elementSize);
  const chunks: ChunkRef[] = [];
  const add = (index: number[], offset: number, size: number, mask: number): void => {
    chunks.push({ index, offset, length: size < 0 ? chunkBytes : size, filterMask: mask });
  };
  // Linear index over the chunk grid of the maximum extent (fixed/extensible arrays, implicit).
  const unlimited = maxShape.findIndex((m) => m === null);
  const dimsInOrder = [...shape.keys()];
  const order = unlimited > 0 ? [unlimited, ...dimsInOrder.filter((d) => d !== unlimited)] : dimsInOrder;
  const counts = order.map((d) => Math.ceil(((maxShape[d] ?? shape[d]) as number) / (chunk[d] as number)));
  const down = strides(counts);
  const fromLinear = (linear: number): number[] => {
    const index = new Array<number>(rank).fill(0);
    order.forEach((d, k) => {
      const q = Math.floor(linear / (down[k] as number));
      index[d] = k === 0 ? q : q % (counts[k] as number);
    });
    return index;
  };
  const visitLinear = (linear: number, address: number, size: number, mask: number): void =>
    add(fromLinear(linear), address, size, mask);

  switch (layout.indexType) {
    case 0: {
      const keySize = 8 + 8 * (rank + 1);
      walkBtree1(file, layout.address, 1, keySize, (key, child) => {
        const size = key.u32();
        const mask = key.u32();
        const index: number[] = [];
        for (let d = 0; d < rank; d++) {
          const offset = key.u64();
          if (offset % (chunk[d] as number) !== 0) {
            throw key.fail(`chunk offset ${offset} is not a multiple of ${chunk[d]}`);
          }
          index.push(offset / (chunk[d] as number));
        }
        add(index, child, size, mask);
      });
      break;
    }
    case 1:
      // Single chunk: the stored size is in the layout message only when the chunk is filtered.
      const size = layout.flags & 0x02 ? layout.singleSize : -1;
      add(new Array<number>(rank).fill(0), layout.address, size, layout.singleMask);
      break;
    case 2: {
      // Implicit: every chunk allocated at once, in linear order, unfiltered.
      const grid = shape.map((s, d) => Math.ceil(s / (chunk[d] as number)));
      // Every chunk is allocated, one after the other: all of them must fit in the file.
      const total = grid.reduce((n, g) => n * g, 1);
      if (!(total * chunkBytes <= file.source.size - layout.address)) {
        const detail = `implicit index of ${total} chunks of ${chunkBytes} bytes at ${layout.address} does not fit in the file (${file.source.size} bytes)`;
        throw file.error("data layout message", ctx.at, detail);
      }
      forEachIndex(grid, (index) => {
        let linear = 0;
        order.forEach((d, k) => (linear += (index[d] as number) * (down[k] as number)));
        add(index, layout.address + linear * chunkBytes, -1, 0);
      });
      break;
    }
    case 3:
      walkFixedArray(file, layout.address, visitLinear);
      break;
    case 4:
      walkExtensibleArray(file, layout.address, visitLinear);
      break;
    case 5:
      walkBtree2(file, layout.address, [10, 11], (rec, h) => {
        const address = rec.address();
        let size = -1;
        let mask = 0;
        if (h.type === 11) {
          size = rec.uint(h.recordSize - file.offsetSize - 4 - 8 * rank);
          mask = rec.u32();
        }
        const index: number[] = [];
        for (let d = 0; d < rank; d++) index.push(rec.u64());
        if (address !== UNDEF) add(index, address, size, mask);
      });
      break;
    default:
      throw file.unsupported(`chunk index type ${layout.indexType}`, "data layout message", ctx.at);
  }
  return { kind: "chunked", chunks: finish(chunks, ctx) };
}

function forEachIndex(grid: number[], fn: (index: number[]) => void): void {
  if (grid.some((n) => n === 0)) return;
  const index = new Array<number>(grid.length).fill(0);
  for (;;) {
    fn(index.slice());
    let d = grid.length - 1;
    while (d >= 0 && (index[d] = (index[d] as number) + 1) === grid[d]) index[d--] = 0;
    if (d < 0) return;
  }
}

/** Drops chunks that start beyond the current extent, marks unfiltered edge chunks, sorts. */
function finish(chunks: ChunkRef[], ctx: ChunkContext): ChunkRef[] {
  const { layout, shape } = ctx;
  const chunk = layout.chunk;
  const unfilteredEdges = layout.version === 4 && (layout.flags & 0x01) !== 0 && ctx.filters > 0;
  const out = chunks.filter((c) => c.index.every((i, d) => i * (chunk[d] as number) < (shape[d] as number)));
  if (unfilteredEdges) {
    const all = 2 ** ctx.filters - 1;
    for (const c of out) {
      if (c.index.some((i, d) => (i + 1) * (chunk[d] as number) > (shape[d] as number))) c.filterMask |= all;
    }
  }
  out.sort((a, b) => {
    for (let d = 0; d < a.index.length; d++) {
      const diff = (a.index[d] as number) - (b.index[d] as number);
      if (diff !== 0) return diff;
    }
    return 0;
  });
  return out;
}
