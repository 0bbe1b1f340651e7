import type { ByteSource } from "../byte-source.js";
import type { DimensionInfo, FileLayout, Storage, VariableLayout } from "../layout.js";
import { Netcdf3FormatError, REPAIR_CORRUPT } from "./errors.js";
import { readHeader } from "./header.js";
import type { HeaderVariable, Netcdf3Header } from "./header.js";
import { recordSize, streamingRecordCount } from "./records.js";
import type { RecordSlab } from "./records.js";
import { formatOf } from "./version.js";

/** A variable with its dimensions resolved. */
interface Resolved {
  header: HeaderVariable;
  dims: string[];
  /** Dimension lengths with 0 for the record dimension. */
  lengths: number[];
  isRecord: boolean;
  /** Data bytes of the whole variable (non-record) or of one record (record variable). */
  length: number;
}

function resolve(path: string, h: Netcdf3Header, v: HeaderVariable): Resolved {
  const fail = (problem: string): Netcdf3FormatError =>
    new Netcdf3FormatError(path, v.entryOffset, `variable "${v.name}" ${problem}`, REPAIR_CORRUPT);
  const dims: string[] = [];
  const lengths: number[] = [];
  v.dimids.forEach((id, axis) => {
    const dim = h.dimensions[id];
    if (dim === undefined) throw fail(`refers to dimension id ${id} but the file has ${h.dimensions.length} dimensions`);
    if (dim.length === 0 && axis !== 0) throw fail(`uses the record dimension "${dim.name}" on axis ${axis}; only the first axis may be unlimited`);
    dims.push(dim.name);
    lengths.push(dim.length);
  });
  const isRecord = lengths.length > 0 && lengths[0] === 0;
  const elements = lengths.slice(isRecord ? 1 : 0).reduce((a, b) => a * b, 1);
  const length = elements * v.type.dtype.size;
  if (!Number.isSafeInteger(length)) throw fail(`has an impossible size (${length} bytes)`);
  if (v.begin < h.headerEnd) throw fail(`begins at byte ${v.begin}, inside the header (which ends at byte ${h.headerEnd})`);
  return { header: v, dims, lengths, isRecord, length };
}

function storageOf(r: Resolved, numrecs: number, recsize: number): Storage {
  const count = r.isRecord ? numrecs : 1;
  if (r.length === 0 || count === 0) return { kind: "unallocated" };
  if (r.isRecord) return { kind: "records", offset: r.header.begin, stride: recsize, length: r.length, count };
  return { kind: "contiguous", offset: r.header.begin, length: r.length };
}

function variableLayout(r: Resolved, numrecs: number, recsize: number): VariableLayout {
  const { name, type, attributes, floatAttributes } = r.header;
  const shape = r.lengths.map((n, axis) => (axis === 0 && r.isRecord ? numrecs : n));
  return {
    path: `/${name}`,
    name,
    dimensions: r.dims,
    shape,
    maxShape: r.lengths.map((n, axis) => (axis === 0 && r.isRecord ? null : n)),
    dtype: { ...type.dtype },
    chunkShape: null,
    filters: [],
    storedFillValue: null,
    attributes,
    floatAttributes,
    isCoordinate: r.dims.length === 1 && r.dims[0] === name,
    storage: storageOf(r, numrecs, recsize),
  };
}

/** Reads the header of a netCDF classic (CDF-1), 64-bit offset (CDF-2) or 64-bit data (CDF-5) file. */
export function readNetcdf3Layout(source: ByteSource): FileLayout {
  const header = readHeader(source);
  const recordDims = header.dimensions.filter((d) => d.length === 0);
  if (recordDims.length > 1) {
    throw new Netcdf3FormatError(
      source.path,
      4,
      `expected at most one record (unlimited) dimension but found ${recordDims.map((d) => `"${d.name}"`).join(", ")}`,
      REPAIR_CORRUPT,
    );
  }
  const resolved = header.variables.map((v) => resolve(source.path, header, v));
  const slabs: RecordSlab[] = resolved.filter((r) => r.isRecord).map((r) => ({ begin: r.header.begin, length: r.length }));
  const recsize = recordSize(slabs);
  const numrecs = header.numrecs ?? streamingRecordCount(source.size, slabs, recsize);
  const dimensions: DimensionInfo[] = header.dimensions.map((d) =>
    d.length === 0 ? { name: d.name, size: numrecs, unlimited: true } : { name: d.name, size: d.length, unlimited: false },
  );
  return {
    format: formatOf(header.version),
    path: source.path,
    size: source.size,
    groups: [],
    dimensions,
    attributes: header.attributes,
    floatAttributes: header.floatAttributes,
    variables: resolved.map((r) => variableLayout(r, numrecs, recsize)),
  };
}
