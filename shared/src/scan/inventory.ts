import { DroverError } from "../errors.js";
import type { AttrValue, Issue } from "../schemas.js";
import type { DimensionSpec, ValueKind } from "../h5/describe.js";

// The scan's product: what every file holds and how they combine into one dataset. The computer
// writes exactly this plan; the validator checks the product against it and the sources.

/** Version 2: the product's groups, with their attributes. Version 3: 64-bit integers beyond 2^53 exact (tagged {"$number": digits}). */
export const INVENTORY_VERSION = 3;

/** Refuses an inventory written by another version of the scan (it may lack what compute needs). */
export function checkInventoryVersion(inv: { version: number }, path: string): void {
  if (inv.version !== INVENTORY_VERSION) {
    throw new DroverError("ComputeError", `the scan's inventory ${path} is of version ${inv.version}, this computer reads version ${INVENTORY_VERSION}; scan the project again`, { file: path });
  }
}

export interface FileEntry {
  path: string;
  size: number;
  mtimeMs: number;
  /** Index of this file's first step along the concatenation dimension in the product. */
  concatStart: number;
  /** Steps this file contributes. */
  concatLength: number;
  /** Units of the concatenation coordinate in this file, when they differ from the product's. */
  units?: string;
  /** Index into the inventory's variableSets of the set this file belongs to (absent: 0). */
  variableSet?: number;
  /** Per variable: its shape, chunk shape, filters and stored type string (byte order included) in this file. */
  variables: Record<string, { shape: number[]; chunks: number[] | null; filters: string[]; storedDtype?: string }>;
}

export interface ProductVariable {
  /** Key in the product (the HDF5 path without its leading "/"). */
  name: string;
  /** HDF5 path in the source files. */
  sourcePath: string;
  dimensions: string[];
  /** Shape in the product. */
  shape: number[];
  dtype: string;
  kind: ValueKind;
  /** Chunk shape in the product. */
  chunks: number[];
  /** Chunk shape in the first source file (null: contiguous). */
  sourceChunks: number[] | null;
  filters: string[];
  /** From the `_FillValue` attribute; "NaN"/"Infinity" spelled as Zarr v2 does. */
  fillValue: number | bigint | string | null;
  /** Attributes without `_FillValue` (it becomes the Zarr fill_value). */
  attributes: Record<string, AttrValue>;
  /** Names of attributes stored as floating point. */
  floatAttributes: string[];
  /** True when the variable spans the concatenation dimension (its data comes from every file of its variable set). */
  concatenated: boolean;
  /** The variable set whose files its data comes from (absent: 0, every file). */
  variableSet?: number;
  isCoordinate: boolean;
  /** Enumerations: each name and its value, written to the product as the `enum_dict` attribute. */
  enumDict?: Record<string, number>;
}

/** A group below the root of the product: kept with its attributes even when it holds no variables. */
export interface ProductGroup {
  /** Key in the product (the HDF5 path without its leading "/"), e.g. "model/deeper". */
  name: string;
  attributes: Record<string, AttrValue>;
  /** Names of attributes stored as floating point. */
  floatAttributes: string[];
}

/** One variable set of a merge: the variables only its files hold, and its files in concatenation order. */
export interface VariableSetEntry {
  variables: string[];
  files: string[];
}

export interface Inventory {
  version: number;
  project: string;
  createdAt: string;
  /** Source files in concatenation order. */
  files: FileEntry[];
  concatDim: string | null;
  concatLength: number;
  identicalDims: string[];
  dimensions: DimensionSpec[];
  /** Global attributes of the product. */
  attributes: Record<string, AttrValue>;
  floatAttributes: string[];
  /** Global attributes whose values differ between source files (the product keeps the first file's). */
  differingAttributes: string[];
  /** Every group below the root, parents first, with the first file's attributes. */
  groups: ProductGroup[];
  variables: ProductVariable[];
  /**
   * Files that hold different variables for the same steps (one variable per file): each set is
   * concatenated on its own and the sets are merged. Absent: every file holds the same variables.
   */
  variableSets?: VariableSetEntry[];
  /** Variables whose values are re-encoded to the product's time units (the coordinate, its bounds). */
  reencoded: string[];
  /** Total bytes of the source files. */
  bytes: number;
  /** Total stored chunks of the source files. */
  chunks: number;
  issues: Issue[];
}
