import type { FileEntry, ProductVariable } from "../scan/inventory.js";

// Which bytes of which source file fill which product chunk. Pure: the writer and the tests
// both walk this plan; only the writer touches files.

export interface Piece {
  /** Index into the inventory's files. */
  file: number;
  /** Box to read from the source, [start, stop) per axis. */
  start: number[];
  stop: number[];
  /** Where the piece goes inside the chunk box, per axis. */
  offset: number[];
}

export interface ChunkTask {
  /** Chunk grid index. */
  index: number[];
  /** Box of the product this chunk covers, [start, stop) per axis (clipped at the edges). */
  start: number[];
  stop: number[];
  pieces: Piece[];
}

export function chunkCount(v: ProductVariable): number {
  return v.shape.reduce((n, s, a) => n * Math.ceil(s / (v.chunks[a] ?? 1)), 1);
}

/** Chunk tasks of a variable in row-major order of the chunk grid, read from the files of its variable set. */
export function* chunkTasks(v: ProductVariable, files: FileEntry[], concatDim: string | null): Generator<ChunkTask> {
  const nd = v.shape.length;
  const grid = v.shape.map((s, a) => Math.ceil(s / (v.chunks[a] ?? 1)));
  if (grid.some((g) => g === 0)) return;
  const axis = v.concatenated && concatDim !== null ? v.dimensions.indexOf(concatDim) : -1;
  // Only the files of the variable's own set hold it (one variable per file: a merge of sets).
  const set = v.variableSet ?? 0;
  const own = (f: FileEntry) => (f.variableSet ?? 0) === set;
  const firstOwn = Math.max(0, files.findIndex(own));
  const index = new Array<number>(nd).fill(0);
  for (;;) {
    const start = index.map((i, a) => i * (v.chunks[a] ?? 1));
    const stop = start.map((s, a) => Math.min(s + (v.chunks[a] ?? 1), v.shape[a] ?? 0));
    const pieces: Piece[] = [];
    if (axis < 0) {
      pieces.push({ file: firstOwn, start, stop, offset: new Array<number>(nd).fill(0) });
    } else {
      const s = start[axis] ?? 0;
      const e = stop[axis] ?? 0;
      files.forEach((f, i) => {
        if (!own(f)) return;
        const fs = f.concatStart;
        const fe = f.concatStart + f.concatLength;
        if (fe <= s || fs >= e) return;
        const pStart = [...start];
        const pStop = [...stop];
        const offset = new Array<number>(nd).fill(0);
        pStart[axis] = Math.max(s, fs) - fs;
        pStop[axis] = Math.min(e, fe) - fs;
        offset[axis] = Math.max(s, fs) - s;
        pieces.push({ file: i, start: pStart, stop: pStop, offset });
      });
    }
    yield { index: [...index], start, stop, pieces };
    let a = nd - 1;
    while (a >= 0) {
      index[a] = (index[a] ?? 0) + 1;
      if ((index[a] ?? 0) < (grid[a] ?? 0)) break;
      index[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = (s[a + 1] ?? 1) * (shape[a + 1] ?? 1);
  return s;
}

type Writable = { set(array: ArrayLike<number> | ArrayLike<bigint>, offset?: number): void; subarray(a: number, b: number): unknown; length: number };

/** Copies `src` (shape `srcShape`, row-major) into `dst` (shape `dstShape`) at `offset`. */
export function copyInto(dst: Writable, dstShape: number[], offset: number[], src: Writable, srcShape: number[]): void {
  const nd = dstShape.length;
  if (nd === 0) {
    dst.set(src.subarray(0, 1) as ArrayLike<number>, 0);
    return;
  }
  const ds = stridesOf(dstShape);
  const ss = stridesOf(srcShape);
  const row = srcShape[nd - 1] ?? 0;
  const rows = srcShape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (row === 0 || rows === 0) return;
  const idx = new Array<number>(Math.max(0, nd - 1)).fill(0);
  for (let r = 0; r < rows; r++) {
    let d = offset[nd - 1] ?? 0;
    let s = 0;
    for (let a = 0; a < nd - 1; a++) {
      d += ((idx[a] ?? 0) + (offset[a] ?? 0)) * (ds[a] ?? 0);
      s += (idx[a] ?? 0) * (ss[a] ?? 0);
    }
    dst.set(src.subarray(s, s + row) as ArrayLike<number>, d);
    for (let a = nd - 2; a >= 0; a--) {
      idx[a] = (idx[a] ?? 0) + 1;
      if ((idx[a] ?? 0) < (srcShape[a] ?? 0)) break;
      idx[a] = 0;
    }
  }
}
