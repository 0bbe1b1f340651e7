import { describe, expect, it } from "vitest";
import type { VariableInfo } from "../../../shared/src/h5/describe.js";
import { boxesOf, type Box } from "../../../shared/src/validate/boxes.js";

// Which boxes the validator compares (README, "validate"): coordinates and variables of up to
// 65,536 values a file in full in every file; larger variables along the concatenation
// dimension by the first and last 8 steps of the first, the last and one pseudo-random file, at
// most 256 wide across the other dimensions, centred; no step compared twice.

function variable(shape: number[], dims: string[], isCoordinate = false): VariableInfo {
  return { name: "v", path: "/v", dimensions: dims, shape, unlimited: shape.map(() => false), dtype: "<f4", kind: "float", chunks: null, filters: [], attributes: {}, floatAttributes: [], isCoordinate };
}

/** Files 0..n-1 in order, each `length` steps long. */
function series(files: number, length: number) {
  const order = Array.from({ length: files }, (_, i) => i);
  const starts = order.map((i) => i * length);
  return { order, starts, lengthOf: () => length };
}

/** Each box as [file, first step, end step] along axis 0. */
const steps = (boxes: Box[]) => boxes.map((b) => [b.file, b.start[0], b.stop[0]]);

describe("boxesOf", () => {
  it("samples a large variable at both ends of the first, last and one other file", () => {
    const v = variable([80, 180, 360], ["time", "lat", "lon"]);
    const { order, starts, lengthOf } = series(5, 80);
    const boxes = boxesOf(v, 0, order, starts, "project-a", () => [80, 180, 360], lengthOf);
    const files = [...new Set(boxes.map((b) => b.file))];
    expect(files).toContain(0);
    expect(files).toContain(4);
    expect(files.length).toBeLessThanOrEqual(3);
    for (const f of files) expect(steps(boxes.filter((b) => b.file === f))).toEqual([[f, 0, 8], [f, 72, 80]]);
    // 180 rows fit whole; of 360 columns, the middle 256.
    for (const b of boxes) {
      expect([b.start[1], b.stop[1], b.start[2], b.stop[2]]).toEqual([0, 180, 52, 308]);
      expect(b.at).toBe((starts[b.file] as number));
    }
  });

  it("compares no step twice in a file shorter than both ends", () => {
    const v = variable([10, 300, 300], ["time", "y", "x"]);
    const ten = series(1, 10);
    expect(steps(boxesOf(v, 0, ten.order, ten.starts, "p", () => [10, 300, 300], ten.lengthOf))).toEqual([[0, 0, 8], [0, 8, 10]]);
    const five = series(1, 5);
    expect(steps(boxesOf(v, 0, five.order, five.starts, "p", () => [5, 300, 300], five.lengthOf))).toEqual([[0, 0, 5]]);
    const sixteen = series(1, 16);
    expect(steps(boxesOf(v, 0, sixteen.order, sixteen.starts, "p", () => [16, 300, 300], sixteen.lengthOf))).toEqual([[0, 0, 8], [0, 8, 16]]);
  });

  it("compares coordinates and small variables in full in every file", () => {
    const { order, starts, lengthOf } = series(4, 1);
    const small = boxesOf(variable([1, 73, 144], ["time", "lat", "lon"]), 0, order, starts, "p", () => [1, 73, 144], lengthOf);
    expect(small.map((b) => [b.file, b.start, b.stop, b.at])).toEqual(order.map((i) => [i, [0, 0, 0], [1, 73, 144], i]));
    const coordinate = boxesOf(variable([1], ["time"], true), 0, order, starts, "p", () => [1], lengthOf);
    expect(coordinate.map((b) => b.file)).toEqual(order);
  });

  it("takes a variable without the concatenation dimension from the first file in order", () => {
    const v = variable([400, 400], ["y", "x"]);
    const boxes = boxesOf(v, -1, [2, 0, 1], [0, 10, 20], "p", () => [400, 400], () => 10);
    expect(boxes.map((b) => [b.file, b.start, b.stop])).toEqual([[2, [72, 72], [328, 328]]]);
  });
});
