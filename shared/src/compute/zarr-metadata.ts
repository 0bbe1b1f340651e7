import { asFloats, pythonJson } from "../json/python-json.js";
import type { Inventory, ProductVariable } from "../scan/inventory.js";
import { ENUM_ATTRIBUTE } from "../strings/kinds.js";
import { VLEN_UTF8_FILTER } from "../strings/vlen-utf8.js";

// Zarr v2 metadata for the product, as xarray expects it: `.zarray` per variable,
// `_ARRAY_DIMENSIONS` in its `.zattrs`, the group's attributes in the root `.zattrs`; every
// document written as Python's zarr 2 writes and reads it (../json/python-json.ts).

export const ZARR_COMPRESSION_LEVEL = 4;

export interface ZArray {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: { id: "zlib"; level: number } | null;
  fill_value: number | bigint | string | null;
  order: "C";
  filters: Array<{ id: string }> | null;
  dimension_separator: ".";
}

export function zarray(v: ProductVariable, level = ZARR_COMPRESSION_LEVEL): ZArray {
  return {
    zarr_format: 2,
    shape: v.shape,
    chunks: v.chunks,
    dtype: v.dtype,
    compressor: { id: "zlib", level },
    fill_value: v.fillValue,
    order: "C",
    filters: v.dtype === "|O" ? [{ ...VLEN_UTF8_FILTER }] : null,
    dimension_separator: ".",
  };
}

/**
 * Attributes as JSON text for Python's zarr 2 (ASCII, NaN/Infinity tokens), keeping
 * floating-point attributes floating point (a netCDF `missing_value = 1.e+20f` must not come
 * back as a Python int), one attribute a line.
 */
export function attributesJson(attrs: Record<string, unknown>, floatKeys: readonly string[]): string {
  const floats = new Set(floatKeys);
  const lines = Object.entries(attrs).map(([k, v]) => `  ${pythonJson(k)}: ${pythonJson(floats.has(k) ? asFloats(v) : v)}`);
  return lines.length === 0 ? "{}\n" : `{\n${lines.join(",\n")}\n}\n`;
}

export function zattrs(v: ProductVariable): string {
  return attributesJson({ ...v.attributes, ...(v.enumDict ? { [ENUM_ATTRIBUTE]: v.enumDict } : {}), _ARRAY_DIMENSIONS: v.dimensions }, v.floatAttributes);
}

const json = (v: unknown) => `${pythonJson(v, 2)}\n`;

/** Every metadata key of the product store and its JSON text. */
export function productMetadata(inv: Inventory, level = ZARR_COMPRESSION_LEVEL): Map<string, string> {
  const out = new Map<string, string>();
  out.set(".zgroup", json({ zarr_format: 2 }));
  out.set(".zattrs", attributesJson(inv.attributes, inv.floatAttributes));
  for (const g of inv.groups) {
    out.set(`${g.name}/.zgroup`, json({ zarr_format: 2 }));
    out.set(`${g.name}/.zattrs`, attributesJson(g.attributes, g.floatAttributes));
  }
  for (const v of inv.variables) {
    const parts = v.name.split("/");
    for (let i = 1; i < parts.length; i++) out.set(`${parts.slice(0, i).join("/")}/.zgroup`, json({ zarr_format: 2 }));
    out.set(`${v.name}/.zarray`, json(zarray(v, level)));
    out.set(`${v.name}/.zattrs`, zattrs(v));
  }
  return out;
}
