/** Chunks of about this many bytes are written when the source gives no chunk shape. */
export const TARGET_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The product's chunk shape: the source's, clipped to the product's shape; for contiguous
 * sources, whole rows of the inner dimensions with as many steps along the first (or the
 * concatenation) axis as fit in TARGET_CHUNK_BYTES.
 */
export function chooseChunks(shape: number[], source: number[] | null, itemSize: number, concatAxis: number): number[] {
  if (shape.length === 0) return [];
  if (source && source.length === shape.length) return source.map((c, a) => Math.max(1, Math.min(c, shape[a] ?? 1)));
  const axis = concatAxis >= 0 ? concatAxis : 0;
  const chunk = shape.map((n) => Math.max(1, n));
  const rowBytes = chunk.reduce((p, n, a) => (a === axis ? p : p * n), Math.max(1, itemSize || 1));
  chunk[axis] = Math.max(1, Math.min(shape[axis] ?? 1, Math.floor(TARGET_CHUNK_BYTES / rowBytes)));
  return chunk;
}

/**
 * A chunk shape Zarr can hold: no zero length (zarr-python divides by it). A zero-length
 * dimension (an UNLIMITED dimension with no records) gets chunks of 1 and keeps shape 0.
 */
export function nonZeroChunks(chunks: number[]): number[] {
  return chunks.map((c) => Math.max(1, c));
}
