// The values of a variable-length string dataset: each stored element is (byte length, global
// heap collection address, object index); the text itself lives in the global heap.

import type { ByteSource } from "../byte-source.js";
import { Cursor } from "./cursor.js";
import { Hdf5File } from "./file.js";
import { vlenString } from "./values.js";

/**
 * Decodes `count` stored elements (`bytes`, as the dataset's storage holds them once its filters
 * are undone) into their strings; an element of length 0 (never written) is "".
 */
export function vlenStrings(source: ByteSource, bytes: Uint8Array, count: number, origin = 0): string[] {
  const file = new Hdf5File(source);
  const c = new Cursor(file, bytes, origin, "variable-length string elements");
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(vlenString(file, c));
  return out;
}
