// Which dimension scale is attached to each axis of a dataset, from its DIMENSION_LIST attribute
// as the HDF5 library reads it (one list of object references per axis). Asking the library axis
// by axis (`get_attached_scales`) reads that attribute again for every axis and names each
// scale by searching the file for it: it was a quarter of the time to describe a netCDF-4 file.
// Here the list is read once and each reference is looked up among the file's scales, whose
// references the library makes; anything else is left to the library's own lookup.

/** A reference as a map key: its bytes. */
export function referenceKey(bytes: ArrayLike<number>): string {
  return Array.prototype.join.call(bytes, ",");
}

function referenceBytes(r: unknown): ArrayLike<number> | undefined {
  const data = typeof r === "object" && r !== null ? (r as { ref_data?: unknown }).ref_data : undefined;
  return data instanceof Uint8Array ? data : undefined;
}

/**
 * Per axis, the path of the first scale attached to it (null: none), from a DIMENSION_LIST value
 * as h5wasm reads it; `scales` maps each scale's reference key to its path. Undefined when the
 * value is not one list of references per axis, or names an object that is not among `scales`:
 * the caller then asks the library axis by axis.
 */
export function scalesFromDimensionList(value: unknown, rank: number, scales: ReadonlyMap<string, string>): Array<string | null> | undefined {
  if (!Array.isArray(value) || value.length !== rank) return undefined;
  const out: Array<string | null> = [];
  for (const axis of value) {
    if (!Array.isArray(axis)) return undefined;
    if (axis.length === 0) {
      out.push(null);
      continue;
    }
    const bytes = referenceBytes(axis[0]);
    const path = bytes === undefined ? undefined : scales.get(referenceKey(bytes));
    if (path === undefined) return undefined;
    out.push(path);
  }
  return out;
}
