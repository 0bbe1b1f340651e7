import { statSync } from "node:fs";
import { INTERNAL } from "../formats/hdf5/netcdf.js";
import type { AttrValue } from "../schemas.js";
import { loadHdf5, readChecked, type H5Dataset, type H5File, type H5Group } from "./open.js";

// What one netCDF4/HDF5 file contains, as h5wasm shows it: the variables and dimensions in
// netCDF's terms (dimension scales → named dimensions; netCDF-C's internal attributes hidden).

export type ValueKind = "float" | "int" | "uint" | "char" | "string" | "other";

export interface VariableInfo {
  name: string;
  /** HDF5 path, e.g. "/tas". */
  path: string;
  dimensions: string[];
  shape: number[];
  /** Per axis: unlimited (extendible) in the file. */
  unlimited: boolean[];
  /** Little-endian numpy/Zarr type string of the values as read, e.g. "<f4", "|u1". */
  dtype: string;
  kind: ValueKind;
  chunks: number[] | null;
  filters: string[];
  attributes: Record<string, AttrValue>;
  /** Attributes stored as floating point (JSON alone cannot tell 0.0 from 0). */
  floatAttributes: string[];
  isCoordinate: boolean;
}

export interface DimensionSpec {
  name: string;
  size: number;
  unlimited: boolean;
}

export interface FileInfo {
  path: string;
  size: number;
  mtimeMs: number;
  dimensions: DimensionSpec[];
  attributes: Record<string, AttrValue>;
  floatAttributes: string[];
  variables: VariableInfo[];
}


const NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable";
/** h5wasm reports an unlimited axis' max size as 2^64 - 1 rounded to a double. */
const UNLIMITED = 2 ** 63;

export function normaliseAttribute(v: unknown): AttrValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (ArrayBuffer.isView(v)) return normaliseAttribute(Array.from(v as unknown as ArrayLike<number>));
  if (Array.isArray(v)) {
    const flat = v.flat(Infinity) as unknown[];
    if (flat.length === 1) return normaliseAttribute(flat[0]);
    if (flat.every((x) => typeof x === "number" || typeof x === "bigint")) return flat.map(Number);
    if (flat.every((x) => typeof x === "string")) return flat as string[];
    return JSON.stringify(flat);
  }
  return JSON.stringify(v);
}

function readAttributes(
  path: string,
  obj: H5Group | H5Dataset,
  objPath: string,
): { attributes: Record<string, AttrValue>; floatAttributes: string[] } {
  const attributes: Record<string, AttrValue> = {};
  const floatAttributes: string[] = [];
  const attrs = readChecked(path, objPath, () => obj.attrs);
  for (const name of Object.keys(attrs).sort()) {
    if (INTERNAL.has(name)) continue;
    const a = attrs[name];
    if (a === undefined) continue;
    attributes[name] = readChecked(path, `${objPath}@${name}`, () => normaliseAttribute(a.json_value));
    if (readChecked(path, `${objPath}@${name}`, () => a.metadata.type) === 1) floatAttributes.push(name);
  }
  return { attributes, floatAttributes };
}

export function valueKind(type: number, signed: boolean, size: number): { kind: ValueKind; dtype: string } {
  if (type === 1) return { kind: "float", dtype: `<f${size}` };
  if (type === 0) {
    if (size === 1) return { kind: signed ? "int" : "uint", dtype: signed ? "|i1" : "|u1" };
    return { kind: signed ? "int" : "uint", dtype: `<${signed ? "i" : "u"}${size}` };
  }
  if (type === 3) return size === 1 ? { kind: "char", dtype: "|S1" } : { kind: "string", dtype: `|S${size}` };
  return { kind: "other", dtype: `|V${size}` };
}

function isDataset(e: unknown, lib: Awaited<ReturnType<typeof loadHdf5>>): e is H5Dataset {
  return e instanceof lib.Dataset;
}

function isGroup(e: unknown, lib: Awaited<ReturnType<typeof loadHdf5>>): e is H5Group {
  return e instanceof lib.Group;
}

/** Describes an open file: every variable (nested groups included) and every dimension. */
export async function describeFile(file: H5File, path: string): Promise<FileInfo> {
  const lib = await loadHdf5();
  const st = statSync(path);
  const datasets: Array<{ path: string; ds: H5Dataset }> = [];
  const walk = (group: H5Group, prefix: string) => {
    for (const key of readChecked(path, prefix === "/" ? "/" : prefix.slice(0, -1), () => group.keys())) {
      const child = readChecked(path, `${prefix}${key}`, () => group.get(key));
      if (isDataset(child, lib)) datasets.push({ path: `${prefix}${key}`, ds: child });
      else if (isGroup(child, lib)) walk(child, `${prefix}${key}/`);
    }
  };
  walk(file, "/");

  // Dimension scales first: their names are the dimension names.
  const scaleName = new Map<string, string>();
  const dimensionOnly = new Set<string>();
  for (const { path: p, ds } of datasets) {
    const attrs = readChecked(path, p, () => ds.attrs);
    const cls = attrs["CLASS"];
    if (cls === undefined) continue;
    const clsValue = readChecked(path, `${p}@CLASS`, () => cls.json_value);
    if (clsValue !== "DIMENSION_SCALE") continue;
    const nameAttr = attrs["NAME"];
    const nameValue = nameAttr ? String(readChecked(path, `${p}@NAME`, () => nameAttr.json_value)) : "";
    const base = p.slice(p.lastIndexOf("/") + 1);
    if (nameValue.startsWith(NOT_A_VARIABLE)) {
      dimensionOnly.add(p);
      scaleName.set(p, base);
    } else {
      scaleName.set(p, nameValue !== "" ? nameValue : base);
    }
  }

  const dims = new Map<string, DimensionSpec>();
  const phony = new Map<number, string>();
  const variables: VariableInfo[] = [];
  for (const { path: p, ds } of datasets) {
    const meta = readChecked(path, p, () => ds.metadata);
    const shape = (meta.shape ?? []).map(Number);
    const maxshape = (meta.maxshape ?? shape).map(Number);
    const unlimited = maxshape.map((m) => m >= UNLIMITED);
    const name = p.slice(p.lastIndexOf("/") + 1);
    const isScale = scaleName.has(p);
    const dimensions = shape.map((size, axis) => {
      if (isScale && shape.length === 1) return scaleName.get(p) ?? name;
      const attached = readChecked(path, `${p} dimension ${axis}`, () => (ds.attrs["DIMENSION_LIST"] ? ds.get_attached_scales(axis) : []));
      const scalePath = attached[0];
      if (scalePath !== undefined) return scaleName.get(scalePath) ?? scalePath.slice(scalePath.lastIndexOf("/") + 1);
      let d = phony.get(size);
      if (d === undefined) {
        d = `phony_dim_${phony.size}`;
        phony.set(size, d);
      }
      return d;
    });
    dimensions.forEach((d, axis) => {
      const prev = dims.get(d);
      const size = shape[axis] ?? 0;
      if (!prev || size > prev.size) dims.set(d, { name: d, size, unlimited: (unlimited[axis] ?? false) || (prev?.unlimited ?? false) });
    });
    if (dimensionOnly.has(p)) continue;
    const { kind, dtype } = valueKind(meta.type, meta.signed, meta.size);
    variables.push({
      name,
      path: p,
      dimensions,
      shape,
      unlimited,
      dtype,
      kind,
      chunks: meta.chunks ? meta.chunks.map(Number) : null,
      filters: readChecked(path, p, () => ds.filters).map((f) => f.name),
      ...readAttributes(path, ds, p),
      isCoordinate: isScale && shape.length === 1,
    });
  }
  return {
    path,
    size: st.size,
    mtimeMs: st.mtimeMs,
    dimensions: [...dims.values()],
    ...readAttributes(path, file, "/"),
    variables,
  };
}
