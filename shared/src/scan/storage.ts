// How a variable's values are stored in one file — type string with its byte order, chunking,
// filter pipeline — and how two files differ in it. One set of references can point at the
// chunks of several files only when they are stored alike; the scan and the reference combiner
// both say what differs in the same words.

export interface StoredForm {
  /** Type string as stored, byte order included (">f4" netCDF-3, "<f4" netCDF-4 as netCDF-C writes it; "?f4" unknown). */
  dtype: string;
  /** Chunk shape; null: contiguous (or netCDF-3 records). */
  chunks: number[] | null;
  /** Filter pipeline, in order (names). */
  filters: string[];
}

export interface StorageDifference {
  byteOrder: boolean;
  filters: boolean;
  chunks: boolean;
}

export function byteOrderName(dtype: string): string {
  const order = dtype[0] === ">" ? "big-endian" : dtype[0] === "<" ? "little-endian" : dtype[0] === "|" ? "single-byte" : "of unknown byte order";
  return `${order} (${dtype})`;
}

const sameList = <T>(a: readonly T[] | null, b: readonly T[] | null) => (a === null || b === null ? a === b : a.length === b.length && a.every((x, i) => x === b[i]));

/** What differs between two stored forms (byte order is compared only for multi-byte types). */
export function storageDifference(a: StoredForm, b: StoredForm): StorageDifference {
  const multiByte = (d: string) => d[0] === "<" || d[0] === ">";
  return {
    byteOrder: multiByte(a.dtype) && multiByte(b.dtype) && a.dtype[0] !== b.dtype[0],
    filters: !sameList(a.filters, b.filters),
    chunks: !sameList(a.chunks, b.chunks),
  };
}

/** "big-endian (>f4), contiguous" / "little-endian (<f4), chunked [1,4,6] with deflate". */
export function describeStorage(s: StoredForm): string {
  const layout = s.chunks === null ? "contiguous" : `chunked [${s.chunks.join(",")}]`;
  return `${byteOrderName(s.dtype)}, ${layout}${s.filters.length > 0 ? ` with ${s.filters.join("+")}` : ""}`;
}
