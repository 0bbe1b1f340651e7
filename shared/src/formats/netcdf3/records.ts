/** One record variable's slab: where record 0 starts and how many bytes of data each record holds. */
export interface RecordSlab {
  begin: number;
  /** Unpadded data bytes per record: product of the non-record dimensions × type size. */
  length: number;
}

const padTo4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Bytes between the starts of consecutive records: the sum of each record variable's slab padded
 * to 4 bytes — except with exactly one record variable, whose records are packed without padding
 * (spec, "Note on padding"; matters for a single byte/char/short/ubyte/ushort variable).
 */
export function recordSize(slabs: readonly RecordSlab[]): number {
  const only = slabs.length === 1 ? slabs[0] : undefined;
  if (only !== undefined) return only.length;
  return slabs.reduce((sum, s) => sum + padTo4(s.length), 0);
}

/**
 * Record count for a STREAMING header, from the file size: the number of records whose data
 * (up to the end of the last record variable's slab) lies within the file. The last record's
 * trailing padding may be missing.
 */
export function streamingRecordCount(fileSize: number, slabs: readonly RecordSlab[], recsize: number): number {
  if (slabs.length === 0 || recsize <= 0) return 0;
  // Loops, not Math.min(...): a spread of a few hundred thousand slabs overflows the stack.
  let start = Infinity;
  for (const s of slabs) start = Math.min(start, s.begin);
  let tail = 0;
  for (const s of slabs) tail = Math.max(tail, s.begin - start + s.length);
  if (fileSize < start + tail) return 0;
  return Math.floor((fileSize - start - tail) / recsize) + 1;
}
