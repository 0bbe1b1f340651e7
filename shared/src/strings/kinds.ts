import type { VariableLayout } from "../formats/layout.js";

// Which variables a Zarr v2 product carries and how: numbers as they are; netCDF chars and HDF5
// fixed-length strings as `|S<n>`; variable-length strings as `|O` with the vlen-utf8 codec;
// enumerations as their base integer type with their dictionary in an attribute. Compound,
// opaque, reference, bitfield and other variable-length types, and HDF5 filters that no numcodecs
// codec undoes, cannot be represented: those variables are refused by name.

/** The attribute holding an enumeration's names and values, as netCDF4-python's `EnumType.enum_dict`. */
export const ENUM_ATTRIBUTE = "enum_dict";

/** HDF5 filters a Zarr v2 product can name as numcodecs codecs: deflate (zlib), shuffle, fletcher32. */
export const CARRIED_FILTERS: ReadonlySet<number> = new Set([1, 2, 3]);
export const CARRIED_FILTER_NAMES: ReadonlySet<string> = new Set(["deflate", "shuffle", "fletcher32"]);

const CARRIED_KINDS: ReadonlySet<string> = new Set(["int", "uint", "float", "char", "vlen-string", "enum"]);

/** Why the variable cannot be part of a Zarr v2 product, or undefined when it can. */
export function refusalOf(v: VariableLayout): string | undefined {
  if (!CARRIED_KINDS.has(v.dtype.kind)) return `holds ${v.dtype.kind} values (${v.dtype.typestr}), which a Zarr v2 product cannot represent`;
  const odd = v.filters.find((f) => !CARRIED_FILTERS.has(f.id));
  if (odd) return `uses HDF5 filter ${odd.id} (${odd.name || "unnamed"}), which no numcodecs codec undoes`;
  return undefined;
}

/** Why a variable the scan describes cannot be part of the product, or undefined when it can. */
export function refusalOfInfo(v: { kind: string; dtype: string; typeName?: string | undefined; filters: string[] }): string | undefined {
  if (v.kind === "other") return `holds ${v.typeName ?? "non-numeric"} values (${v.dtype}), which a Zarr v2 product cannot represent`;
  const odd = v.filters.find((f) => !CARRIED_FILTER_NAMES.has(f));
  if (odd) return `uses the HDF5 filter ${odd}, which no numcodecs codec undoes`;
  return undefined;
}

/** Whether a Zarr dtype holds text: fixed-length bytes (`|S<n>`) or variable-length strings (`|O`). */
export function isTextDtype(dtype: string): boolean {
  return dtype === "|O" || /^\|S\d+$/.test(dtype);
}

/** Bytes per element of a Zarr dtype (an object pointer counts as 8, for chunk sizing). */
export function itemSize(dtype: string): number {
  return dtype === "|O" ? 8 : Number(dtype.slice(2)) || 1;
}
