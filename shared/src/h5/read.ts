import { DroverError } from "../errors.js";
import { readChecked, type H5Dataset, type H5File } from "./open.js";

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export function getDataset(file: H5File, filePath: string, varPath: string): H5Dataset {
  const ds = readChecked(filePath, varPath, () => file.get(varPath));
  if (!ds || !("slice" in ds)) {
    throw new DroverError("SourceFormatError", `${filePath}: variable ${varPath} is missing or not a dataset`, {
      file: filePath,
      variable: varPath,
    });
  }
  return ds as H5Dataset;
}

/** A hyperslab [start, stop) per axis, read as a typed array (row-major). */
export function readBox(file: H5File, filePath: string, varPath: string, start: number[], stop: number[]): NumericArray {
  const ds = getDataset(file, filePath, varPath);
  const value = readChecked(filePath, varPath, () =>
    start.length === 0 ? ds.value : ds.slice(start.map((s, a) => [s, stop[a] ?? s] as [number, number])),
  );
  return asNumeric(value, filePath, varPath);
}

export function asNumeric(value: unknown, filePath: string, varPath: string): NumericArray {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return value as NumericArray;
  if (typeof value === "number") return Float64Array.of(value);
  if (typeof value === "bigint") return BigInt64Array.of(value);
  throw new DroverError("UnsupportedFeatureError", `${filePath}: variable ${varPath} does not hold numbers`, {
    file: filePath,
    variable: varPath,
  });
}

/** Every value of a variable as float64 (coordinates, small variables). */
export function readAllAsFloat64(file: H5File, filePath: string, varPath: string): Float64Array {
  const shape = getDataset(file, filePath, varPath).shape ?? [];
  const data = readBox(file, filePath, varPath, shape.map(() => 0), shape);
  return data instanceof BigInt64Array || data instanceof BigUint64Array
    ? Float64Array.from(data, (x) => Number(x))
    : Float64Array.from(data as ArrayLike<number>);
}

/** A hyperslab of a string dataset (fixed or variable length) as one string per element. */
export function readText(file: H5File, filePath: string, varPath: string, start: number[], stop: number[]): string[] {
  const ds = getDataset(file, filePath, varPath);
  const value = readChecked(filePath, varPath, () =>
    start.length === 0 ? ds.value : ds.slice(start.map((s, a) => [s, stop[a] ?? s] as [number, number])),
  );
  const flat: unknown[] = Array.isArray(value) ? (value as unknown[]).flat(8) : [value];
  if (!flat.every((x) => typeof x === "string")) {
    throw new DroverError("SourceFormatError", `${filePath}: variable ${varPath} does not hold text`, { file: filePath, variable: varPath });
  }
  return flat as string[];
}
