import { DroverError } from "../errors.js";
import type { NumericArray } from "../h5/read.js";

type Ctor = { new (n: number): NumericArray };

const ctors: Record<string, Ctor> = {
  "|i1": Int8Array,
  "|u1": Uint8Array,
  "<i2": Int16Array,
  "<u2": Uint16Array,
  "<i4": Int32Array,
  "<u4": Uint32Array,
  "<i8": BigInt64Array,
  "<u8": BigUint64Array,
  "<f4": Float32Array,
  "<f8": Float64Array,
};

/** A zeroed typed array for `n` values of a little-endian Zarr dtype. */
export function allocate(dtype: string, n: number): NumericArray {
  const C = ctors[dtype];
  if (!C) throw new DroverError("UnsupportedFeatureError", `no typed array for dtype ${dtype}`);
  return new C(n);
}
