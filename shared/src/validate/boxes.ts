import type { VariableInfo } from "../h5/describe.js";
import { seededIndex } from "./compare.js";

// Which boxes of a variable the validator compares: the whole of small variables and coordinates
// in every file; for large variables along the concatenation dimension, the first and last steps
// of the first, the last and one pseudo-random file (no step twice); variables without that
// dimension in the first file only.

/** Steps per box along the concatenation dimension at each end of a file. */
const EDGE = 8;
/** Largest extent per other dimension in a sampled box. */
const SIDE = 256;
/** Variables up to this many elements are compared in full in every file. */
const SMALL = 65536;

/** A box [start, stop) of a variable in source file `file`, which starts at `at` along the concatenation axis of the product. */
export interface Box {
  file: number;
  start: number[];
  stop: number[];
  at: number;
}

export function centredBox(shape: number[], axis: number, from: number, to: number): { start: number[]; stop: number[] } {
  const start = shape.map((n, a) => (a === axis ? from : Math.max(0, Math.floor((n - Math.min(n, SIDE)) / 2))));
  const stop = shape.map((n, a) => (a === axis ? to : (start[a] ?? 0) + Math.min(n, SIDE)));
  return { start, stop };
}

/**
 * The boxes of `v` to compare, in the order they are reported. `order`: the files of its set in
 * concatenation order; `starts`: where each file starts in the product; `shapeIn`: the variable's
 * shape in a file; `lengthOf`: a file's length along the concatenation dimension.
 */
export function boxesOf(
  v: VariableInfo,
  concatAxis: number,
  order: number[],
  starts: number[],
  project: string,
  shapeIn: (file: number) => number[],
  lengthOf: (file: number) => number,
): Box[] {
  const boxes: Box[] = [];
  if (concatAxis < 0) {
    boxes.push({ file: order[0] as number, ...centredBox(v.shape, -1, 0, 0), at: 0 });
  } else if (v.isCoordinate || v.shape.reduce((p, n) => p * n, 1) <= SMALL) {
    for (const i of order) boxes.push({ file: i, start: v.shape.map(() => 0), stop: shapeIn(i), at: starts[i] ?? 0 });
  } else {
    const sampled = new Set([order[0], order[order.length - 1], order[seededIndex(project, order.length)]]);
    for (const i of sampled) {
      if (i === undefined) continue;
      const n = lengthOf(i);
      const headEnd = Math.min(EDGE, n);
      boxes.push({ file: i, ...centredBox(v.shape, concatAxis, 0, headEnd), at: starts[i] ?? 0 });
      // The last steps, but for those the head already holds (a file of fewer than 2 × EDGE steps).
      boxes.push({ file: i, ...centredBox(v.shape, concatAxis, Math.max(headEnd, n - EDGE), n), at: starts[i] ?? 0 });
    }
  }
  // Nothing to compare along a zero-length dimension.
  return boxes.filter((b) => !b.stop.some((e, a) => e <= (b.start[a] ?? 0)));
}

/**
 * Runs `check` on every box of every list, file by file (each file's boxes together: a file is
 * opened once rather than once per variable), up to `concurrency` files at a time, and returns
 * the results in the lists' shape, so that they can be reported variable by variable: the same
 * results whatever order the checks finish in.
 */
export async function checkByFile<R>(lists: ReadonlyArray<readonly Box[]>, check: (list: number, box: Box) => Promise<R>, concurrency = 1): Promise<R[][]> {
  const results: R[][] = lists.map(() => []);
  const byFile = new Map<number, Array<{ list: number; index: number; box: Box }>>();
  lists.forEach((boxes, list) =>
    boxes.forEach((box, index) => {
      const jobs = byFile.get(box.file) ?? [];
      if (jobs.length === 0) byFile.set(box.file, jobs);
      jobs.push({ list, index, box });
    }),
  );
  // Last file first: the files read last before this (ordering the series, first to last) are
  // still open in the reader's pool.
  const files = [...byFile.keys()].sort((a, b) => b - a);
  const worker = async () => {
    for (let file = files.shift(); file !== undefined; file = files.shift()) {
      for (const { list, index, box } of byFile.get(file) ?? []) (results[list] as R[])[index] = await check(list, box);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return results;
}
