import { concatAlong } from "../concat.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import { DroverError } from "../errors.js";
import type { ByteSource } from "../formats/byte-source.js";
import { vlenStrings } from "../formats/hdf5/vlen-strings.js";
import type { FileLayout, VariableLayout } from "../formats/layout.js";
import { readBytes } from "../refs/values.js";
import type { Inventory, ProductVariable } from "../scan/inventory.js";
import { encodeVlenUtf8 } from "../strings/vlen-utf8.js";

// Text variables of a Zarr copy (netCDF chars and fixed-length strings as `|S<n>`,
// variable-length strings as `|O` + vlen-utf8): read whole from every file by drover's own
// readers (h5wasm gives strings, not their bytes), concatenated along the concatenation
// dimension, and written as one zlib-compressed chunk (the plan gives them one chunk).

export interface TextSource {
  layout: FileLayout;
  source: ByteSource;
}

/** Every element of the variable in one file: byte strings of `size` bytes, or decoded strings. */
function elementsOf(s: TextSource, v: VariableLayout): Array<Uint8Array | string> {
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return [];
  const bytes = readBytes(s.source, v);
  if (v.dtype.kind === "vlen-string") return vlenStrings(s.source, bytes, n);
  const size = v.dtype.size;
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}


/** Writes the variable's one chunk into the store at `dir`; returns the chunks written (0 or 1). */
export function writeTextVariable(inv: Inventory, v: ProductVariable, dir: string, open: (path: string) => TextSource, level: number): number {
  if (v.shape.some((n) => n === 0)) return 0;
  const axis = v.concatenated && inv.concatDim !== null ? v.dimensions.indexOf(inv.concatDim) : -1;
  // With variable sets (one variable per file), a variable is read only from its own set's files.
  const own = inv.files.filter((f) => (f.variableSet ?? 0) === (v.variableSet ?? 0));
  const files = axis < 0 ? own.slice(0, 1) : own;
  const parts = files.map((f) => {
    const s = open(f.path);
    const lv = s.layout.variables.find((x) => x.path === v.sourcePath);
    if (!lv) throw new DroverError("ComputeError", `${f.path} has no variable ${v.sourcePath}`, { file: f.path, variable: v.name });
    return { items: elementsOf(s, lv), shape: lv.shape };
  });
  const items = concatAlong(parts, axis);
  const expected = v.shape.reduce((a, b) => a * b, 1);
  if (items.length !== expected) {
    throw new DroverError("ComputeError", `${v.name}: read ${items.length} values from the sources, the product holds ${expected}`, { variable: v.name });
  }
  const raw = v.dtype === "|O" ? encodeVlenUtf8(items.map((x) => (typeof x === "string" ? x : Buffer.from(x).toString("utf8")))) : Buffer.concat(items.map((x) => (typeof x === "string" ? Buffer.from(x) : x)));
  const key = join(dir, v.name, v.shape.map(() => "0").join(".") || "0");
  mkdirSync(dirname(key), { recursive: true });
  writeFileSync(key, deflateSync(raw, { level }));
  return 1;
}
