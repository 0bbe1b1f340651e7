// What a file's structure says about each variable, independent of the container format:
// the common language of the HDF5 reader, the netCDF3 reader and the reference writers.

/** numpy / Zarr v2 type string, e.g. "<f4", ">i2", "|u1", "|S1". */
export type TypeString = string;

export type TypeKind =
  | "int"
  | "uint"
  | "float"
  | "char" // fixed-length byte string (netCDF char, HDF5 fixed string)
  | "vlen-string" // HDF5 variable-length string: data lives in the global heap, not referenceable
  | "compound"
  | "enum"
  | "reference"
  | "opaque"
  | "bitfield"
  | "vlen";

export interface DataType {
  kind: TypeKind;
  /** numpy-style type string for the stored bytes ("<f4", ">i4", "|S1"…). */
  typestr: TypeString;
  /** Bytes per element as stored. */
  size: number;
}

/**
 * JSON-friendly attribute values. One-element arrays are reported as scalars. A 64-bit integer
 * beyond 2^53 is a bigint (a number would round it); every other number is a number.
 */
export type AttributeValue = string | number | bigint | boolean | null | (number | bigint)[] | string[];

/** A 64-bit integer as attributes hold it: a number where that is exact, else the bigint. */
export function exactInteger(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** A number as attributes hold it: a bigint through exactInteger, a number as it is. */
export const exactNumber = (x: number | bigint): number | bigint => (typeof x === "bigint" ? exactInteger(x) : x);

export interface Filter {
  /** HDF5 filter id: 1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit, 6 scaleoffset, 32015 zstd… */
  id: number;
  name: string;
  /** Client data values of the filter (deflate: [level]; shuffle: [element size]). */
  clientData: number[];
  optional: boolean;
}

export interface ChunkRef {
  /** Chunk grid index (not element offset): element offset / chunk shape, per dimension. */
  index: number[];
  /** Absolute byte offset in the file. */
  offset: number;
  /** Stored (filtered) byte length. */
  length: number;
  /** HDF5 filter mask: bit i set means filter i of the pipeline was NOT applied to this chunk. */
  filterMask: number;
}

export type Storage =
  | { kind: "contiguous"; offset: number; length: number }
  | { kind: "compact"; data: Uint8Array }
  | { kind: "chunked"; chunks: ChunkRef[] }
  /** Layout says the data exists but no bytes were ever written (reads give the fill value). */
  | { kind: "unallocated" }
  /** netCDF3 record variable: record r of this variable is at `offset + r * stride`, `length` bytes. */
  | { kind: "records"; offset: number; stride: number; length: number; count: number };

export interface DimensionInfo {
  /** The dimension's own name, without any group path. */
  name: string;
  size: number;
  unlimited: boolean;
  /**
   * Path of the group that defines it ("/" or e.g. "/model"); absent means the root. netCDF
   * scoping: a variable sees the dimensions of its own group and of every group above it, the
   * nearest first, so names may repeat between groups.
   */
  group?: string;
}

/** A group below the root: kept in the product even when it holds no variables. */
export interface GroupLayout {
  /** Full path, e.g. "/model" or "/model/deeper". */
  path: string;
  /** The group's attributes; library internals removed, as for variables. */
  attributes: Record<string, AttributeValue>;
  /** Names of the group's attributes stored as floating point. */
  floatAttributes?: string[];
}

/**
 * A link the reader did not follow: a soft link whose target does not exist ("dangling"), a soft
 * link to an object the file already has under its own path ("soft"), or an external link to an
 * object of another file ("external").
 */
export interface SkippedLink {
  kind: "dangling" | "soft" | "external";
  /** Path of the link itself, e.g. "/model/lost". */
  path: string;
  /** The path it names: in this file (soft links) or in `file` (external links). */
  target: string;
  /** External links: the file they name, as written in the link. */
  file?: string;
}

export interface VariableLayout {
  /** Full path inside the file, "/" separated, e.g. "/tas" or "/model/tas". */
  path: string;
  /** Last path component. */
  name: string;
  /** Dimension names, one per axis, without any group prefix. */
  dimensions: string[];
  shape: number[];
  /** null for an unlimited axis. */
  maxShape: (number | null)[];
  dtype: DataType;
  /** null when not chunked (contiguous, compact, netCDF3). */
  chunkShape: number[] | null;
  filters: Filter[];
  /**
   * The fill value stored in the file's layout (HDF5 fill-value message), decoded,
   * or null when the file defines none. Not the same thing as the `_FillValue` attribute.
   */
  storedFillValue: number | bigint | string | null;
  /** User-visible attributes; library internals (CLASS, NAME, DIMENSION_LIST, _Netcdf4*…) removed. */
  attributes: Record<string, AttributeValue>;
  /** Names of attributes stored as floating point (JSON alone cannot tell 0.0 from 0). */
  floatAttributes?: string[];
  /** True when the variable is a coordinate variable (a dimension scale / name == its only dim). */
  isCoordinate: boolean;
  storage: Storage;
  /** Enumerated types (dtype.kind "enum"): each name and its value of the base integer type. */
  enumDict?: Record<string, number>;
}

export type ContainerFormat = "hdf5" | "netcdf3-classic" | "netcdf3-64bit-offset" | "netcdf3-64bit-data";

export interface FileLayout {
  format: ContainerFormat;
  path: string;
  size: number;
  /** Every group below the root, parents before their children. */
  groups: GroupLayout[];
  /** Every dimension of every group (see DimensionInfo.group for the group defining each). */
  dimensions: DimensionInfo[];
  /** Global (root group) attributes. */
  attributes: Record<string, AttributeValue>;
  /** Names of global attributes stored as floating point. */
  floatAttributes?: string[];
  variables: VariableLayout[];
  /** Links not followed, each to be reported (absent: none). */
  skippedLinks?: SkippedLink[];
}
