import { describe, expect, it } from "vitest";
import { chunkTasks, copyInto } from "../../shared/src/compute/copy-plan.js";
import type { FileEntry, ProductVariable } from "@drover/shared";

const file = (start: number, length: number): FileEntry => ({ path: `/f${start}`, size: 0, mtimeMs: 0, concatStart: start, concatLength: length, variables: {} });

const variable = (over: Partial<ProductVariable>): ProductVariable => ({
  name: "v",
  sourcePath: "/v",
  dimensions: ["time", "x"],
  shape: [10, 4],
  dtype: "<f4",
  kind: "float",
  chunks: [4, 3],
  sourceChunks: null,
  filters: [],
  fillValue: null,
  attributes: {},
  floatAttributes: [],
  concatenated: true,
  isCoordinate: false,
  ...over,
});

describe("the copy plan", () => {
  it("splits chunks that straddle files into pieces read from each file", () => {
    const files = [file(0, 3), file(3, 5), file(8, 2)];
    const tasks = [...chunkTasks(variable({}), files, "time")];
    expect(tasks.map((t) => t.index)).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    const t10 = tasks[2]!;
    expect(t10).toMatchObject({ start: [4, 0], stop: [8, 3] });
    expect(t10.pieces).toEqual([{ file: 1, start: [1, 0], stop: [5, 3], offset: [0, 0] }]);
    const t00 = tasks[0]!;
    expect(t00.pieces).toEqual([
      { file: 0, start: [0, 0], stop: [3, 3], offset: [0, 0] },
      { file: 1, start: [0, 0], stop: [1, 3], offset: [3, 0] },
    ]);
    // The last chunk is clipped at the array's edge: steps 8..9, columns 3..3.
    expect(tasks[5]).toMatchObject({ start: [8, 3], stop: [10, 4], pieces: [{ file: 2, start: [0, 3], stop: [2, 4], offset: [0, 0] }] });
    // Every product element is covered exactly once.
    let covered = 0;
    for (const t of tasks) for (const p of t.pieces) covered += p.stop.reduce((n, e, a) => n * (e - (p.start[a] ?? 0)), 1);
    expect(covered).toBe(40);
  });

  it("takes variables that do not span the concatenation dimension from the first file only", () => {
    const tasks = [...chunkTasks(variable({ dimensions: ["y", "x"], concatenated: false, shape: [2, 2], chunks: [2, 2] }), [file(0, 3), file(3, 3)], "time")];
    expect(tasks).toEqual([{ index: [0, 0], start: [0, 0], stop: [2, 2], pieces: [{ file: 0, start: [0, 0], stop: [2, 2], offset: [0, 0] }] }]);
  });

  it("copies an n-d block into place at an offset", () => {
    const dst = new Float32Array(3 * 4);
    copyInto(dst, [3, 4], [1, 2], Float32Array.from([1, 2, 3, 4]), [2, 2]);
    expect(Array.from(dst)).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4]);
  });
});
