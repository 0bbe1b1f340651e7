import type { ByteSource } from "../byte-source.js";
import type { AttributeValue } from "../layout.js";
import { readAttributes, readNcType } from "./attributes.js";
import { HeaderCursor } from "./cursor.js";
import { Netcdf3FormatError, REPAIR_TRUNCATED } from "./errors.js";
import type { NcType } from "./nc-types.js";
import { versionOf } from "./version.js";
import type { Netcdf3Version } from "./version.js";

const NC_DIMENSION = 0x0a;
const NC_VARIABLE = 0x0b;

export interface HeaderDimension {
  name: string;
  /** Length in the header; 0 marks the record (unlimited) dimension. */
  length: number;
}

export interface HeaderVariable {
  name: string;
  dimids: number[];
  attributes: Record<string, AttributeValue>;
  /** Names of the NC_FLOAT and NC_DOUBLE attributes. */
  floatAttributes: string[];
  type: NcType;
  /** vsize as stored (padded, and 2^32-1 for huge variables): informational only. */
  vsize: number;
  begin: number;
  /** Where this variable's entry starts in the header (for error messages). */
  entryOffset: number;
}

/** The header as stored, before any sizes are derived from it. */
export interface Netcdf3Header {
  version: Netcdf3Version;
  /** null when the header says STREAMING (record count not recorded). */
  numrecs: number | null;
  dimensions: HeaderDimension[];
  attributes: Record<string, AttributeValue>;
  floatAttributes: string[];
  variables: HeaderVariable[];
  /** First byte after the header. */
  headerEnd: number;
}

function listTag(cursor: HeaderCursor, expected: number, label: string): number {
  const at = cursor.position;
  const tag = cursor.uint32(`the ${label} list tag`);
  const n = cursor.count(`the number of ${label}s`);
  if (n !== 0 && tag !== expected) {
    const hex = (v: number): string => `0x${v.toString(16).padStart(8, "0")}`;
    throw cursor.fail(at, `expected the ${label} list tag ${hex(expected)} or ABSENT but found ${hex(tag)}`);
  }
  return n;
}

function readNumrecs(cursor: HeaderCursor): number | null {
  const bytes = cursor.bytes(cursor.countSize, "numrecs");
  if (bytes.every((b) => b === 0xff)) return null; // STREAMING
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (cursor.version !== 5) return view.getUint32(0);
  const high = view.getUint32(0);
  if (high > 0x1f_ffff) throw cursor.fail(4, `numrecs is ${view.getBigUint64(0)}, larger than any real file allows`);
  return high * 0x1_0000_0000 + view.getUint32(4);
}

function readDimensions(cursor: HeaderCursor): HeaderDimension[] {
  const n = listTag(cursor, NC_DIMENSION, "dimension");
  cursor.requireRoom(n, 2 * cursor.countSize, "dimensions");
  const dims: HeaderDimension[] = [];
  for (let i = 0; i < n; i++) {
    const name = cursor.name(`the name of dimension ${i}`);
    const length = cursor.count(`the length of dimension "${name}"`);
    dims.push({ name, length });
  }
  return dims;
}

function readVariable(cursor: HeaderCursor, index: number): HeaderVariable {
  const entryOffset = cursor.position;
  const name = cursor.name(`the name of variable ${index}`);
  const owner = `variable "${name}"`;
  const rank = cursor.count(`the rank of ${owner}`);
  cursor.requireRoom(rank, cursor.countSize, `dimension ids of ${owner}`);
  const dimids: number[] = [];
  for (let d = 0; d < rank; d++) dimids.push(cursor.count(`dimension id ${d} of ${owner}`));
  const { attributes, floatAttributes } = readAttributes(cursor, owner);
  const type = readNcType(cursor, owner);
  const vsize = cursor.count(`the vsize of ${owner}`);
  const begin = cursor.offset(`the begin offset of ${owner}`);
  return { name, dimids, attributes, floatAttributes, type, vsize, begin, entryOffset };
}

function readVariables(cursor: HeaderCursor): HeaderVariable[] {
  const n = listTag(cursor, NC_VARIABLE, "variable");
  // name, rank, attribute list, nc_type, vsize, begin
  cursor.requireRoom(n, 4 * cursor.countSize + 8 + (cursor.version === 1 ? 4 : 8), "variables");
  const vars: HeaderVariable[] = [];
  for (let i = 0; i < n; i++) vars.push(readVariable(cursor, i));
  return vars;
}

/** Parses magic, numrecs, dim_list, gatt_list and var_list. Reads nothing past the header. */
export function readHeader(source: ByteSource): Netcdf3Header {
  if (source.size < 4) {
    throw new Netcdf3FormatError(
      source.path,
      0,
      `the header is truncated: expected the 4-byte magic "CDF" + version but the file has only ${source.size} bytes`,
      REPAIR_TRUNCATED,
    );
  }
  const magic = source.read(0, 4);
  const version = versionOf(magic);
  if (version === null) {
    const found = Array.from(magic, (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Netcdf3FormatError(
      source.path,
      0,
      `expected the magic "CDF" followed by version byte 01, 02 or 05 but found ${found}`,
      "this is not a netCDF classic/64-bit file (netCDF-4 files are HDF5: use the HDF5 reader); " +
        "if it should be one, re-copy it from its source",
    );
  }
  const cursor = new HeaderCursor(source, version, 4);
  const numrecs = readNumrecs(cursor);
  const dimensions = readDimensions(cursor);
  const { attributes, floatAttributes } = readAttributes(cursor, "the file (global attributes)");
  const variables = readVariables(cursor);
  return { version, numrecs, dimensions, attributes, floatAttributes, variables, headerEnd: cursor.position };
}
