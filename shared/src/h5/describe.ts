import { statSync } from "node:fs";
import { INTERNAL } from "../formats/hdf5/netcdf.js";
import { exactInteger, exactNumber, type SkippedLink } from "../formats/layout.js";
import { groupOf } from "../formats/scope.js";
import type { AttrValue } from "../schemas.js";
import { referenceKey, scalesFromDimensionList } from "./attached-scales.js";
import { readAttribute, type AttributeRead, type H5Calls } from "./attribute-values.js";
import { loadHdf5Module, loadModule, readChecked, type H5Dataset, type H5File, type H5Group } from "./open.js";
import { utf8FromH5wasm } from "./text.js";

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
  /** Type string as stored in the file, byte order included (">f4" in netCDF-3); absent: unknown. */
  storedDtype?: string;
  kind: ValueKind;
  chunks: number[] | null;
  filters: string[];
  attributes: Record<string, AttrValue>;
  /** Attributes stored as floating point (JSON alone cannot tell 0.0 from 0). */
  floatAttributes: string[];
  isCoordinate: boolean;
  /** Described briefly: its attributes and filters were not read (left empty); see DescribeOptions. */
  brief?: true;
  /** The stored type's class where the kind alone does not say it ("compound", "opaque", "enum"…). */
  typeName?: string;
  /** Enumerations: each name and its value (netCDF4-python's `enum_dict`). */
  enumDict?: Record<string, number>;
}

export interface DimensionSpec {
  name: string;
  size: number;
  unlimited: boolean;
  /** Path of the group defining it ("/", "/model"); absent: the root (see formats/scope.ts). */
  group?: string | undefined;
}

/** A group below the root, with its attributes. */
export interface GroupInfo {
  /** Full path, e.g. "/model". */
  path: string;
  attributes: Record<string, AttrValue>;
  floatAttributes: string[];
}

export interface FileInfo {
  path: string;
  size: number;
  mtimeMs: number;
  dimensions: DimensionSpec[];
  attributes: Record<string, AttrValue>;
  floatAttributes: string[];
  /** Every group below the root, parents first. */
  groups: GroupInfo[];
  variables: VariableInfo[];
  /** Links that name nothing readable in this file (absent: none). */
  skippedLinks?: SkippedLink[];
}


const NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable";
/** h5wasm reports an unlimited axis' max size as 2^64 - 1 rounded to a double. */
const UNLIMITED = 2 ** 63;

const bigintAsText = (_key: string, x: unknown): unknown => (typeof x === "bigint" ? x.toString() : x);

export function normaliseAttribute(v: unknown): AttrValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return exactInteger(v);
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (ArrayBuffer.isView(v)) return normaliseAttribute(Array.from(v as unknown as ArrayLike<number>));
  if (Array.isArray(v)) {
    const flat = v.flat(Infinity) as unknown[];
    if (flat.length === 1) return normaliseAttribute(flat[0]);
    if (flat.every((x) => typeof x === "number" || typeof x === "bigint")) return (flat as (number | bigint)[]).map(exactNumber);
    if (flat.every((x) => typeof x === "string")) return flat as string[];
    return JSON.stringify(flat, bigintAsText);
  }
  return JSON.stringify(v, bigintAsText);
}

/** ASCII-set string values as the UTF-8 their bytes hold (see ./text.ts). */
function textAsUtf8(v: unknown, m: { type: number; cset?: number; vlen?: boolean }): unknown {
  if (m.type !== 3 || m.cset !== 0) return v;
  if (typeof v === "string") return utf8FromH5wasm(v, m.vlen === true);
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? utf8FromH5wasm(x, m.vlen === true) : x)) : v;
}

/** An object's attribute names, read once: describing a dataset consults them several times. */
function attributeNames(lib: H5Calls, file: H5File, path: string, objPath: string): string[] {
  return readChecked(path, objPath, () => lib.get_attribute_names(file.file_id, objPath));
}

/** One attribute as h5wasm's `json_value` reads it, with its metadata. */
function readOne(lib: H5Calls, obj: H5Group | H5Dataset, path: string, objPath: string, name: string): AttributeRead {
  return readChecked(path, `${objPath}@${name}`, () => readAttribute(lib, obj.file_id, objPath, name, () => obj.get_attribute(name, true)));
}

function readAttributes(
  lib: H5Calls,
  path: string,
  obj: H5Group | H5Dataset,
  objPath: string,
  names: readonly string[],
): { attributes: Record<string, AttrValue>; floatAttributes: string[] } {
  const attributes: Record<string, AttrValue> = {};
  const floatAttributes: string[] = [];
  for (const name of [...names].sort()) {
    if (INTERNAL.has(name)) continue;
    const a = readOne(lib, obj, path, objPath, name);
    attributes[name] = readChecked(path, `${objPath}@${name}`, () => normaliseAttribute(textAsUtf8(a.value, a.metadata)));
    if (a.metadata.type === 1) floatAttributes.push(name);
  }
  return { attributes, floatAttributes };
}

const H5_CLASSES: Record<number, string> = { 2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 8: "enum", 9: "vlen", 10: "array" };

/** Kind and dtype of a dataset as h5wasm describes it; an enumeration as its base integer type. */
export function valueKindOf(meta: { type: number; signed: boolean; size: number; vlen?: boolean; enum_type?: { type: number } }): { kind: ValueKind; dtype: string; typeName?: string } {
  if (meta.type === 3 && meta.vlen === true) return { kind: "string", dtype: "|O" };
  if (meta.type === 8 && meta.enum_type?.type === 0) return { ...valueKind(0, meta.signed, meta.size), typeName: "enum" };
  const k = valueKind(meta.type, meta.signed, meta.size);
  return k.kind === "other" ? { ...k, typeName: H5_CLASSES[meta.type] ?? `class ${meta.type}` } : k;
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

type H5Module = Awaited<ReturnType<typeof loadHdf5Module>>;

function isDataset(e: unknown, lib: H5Module): e is H5Dataset {
  return e instanceof lib.Dataset;
}

function isGroup(e: unknown, lib: H5Module): e is H5Group {
  return e instanceof lib.Group;
}

export interface DescribeOptions {
  /**
   * Read attributes and filters of coordinate variables and of variables of these names only.
   * The validator compares the other variables' attributes in the first file of each variable
   * set alone; of the other files it needs their structure, global and group attributes and the
   * time coordinate's units, and reading every variable's attributes through the HDF5 library
   * was most of its time.
   */
  briefExcept?: ReadonlySet<string>;
}

/**
 * Describes an open file: every variable (nested groups included) and every dimension. `file`
 * may be a function giving it, called once the HDF5 library is loaded: a file taken from a pool
 * before that wait could be closed by another description taking files from the same pool.
 */
export async function describeFile(open: H5File | (() => H5File), path: string, options: DescribeOptions = {}): Promise<FileInfo> {
  const lib = await loadHdf5Module();
  const module = await loadModule();
  // From here on nothing waits: the file stays open to the end.
  const file = typeof open === "function" ? open() : open;
  const st = statSync(path);
  const datasets: Array<{ path: string; ds: H5Dataset; attrs: string[] }> = [];
  const groups: GroupInfo[] = [];
  const skippedLinks: SkippedLink[] = [];
  const walk = (group: H5Group, prefix: string) => {
    for (const key of readChecked(path, prefix === "/" ? "/" : prefix.slice(0, -1), () => group.keys())) {
      const at = `${prefix}${key}`;
      const child = readChecked(path, at, () => group.get(key));
      if (isDataset(child, lib)) datasets.push({ path: at, ds: child, attrs: attributeNames(module, file, path, at) });
      else if (isGroup(child, lib)) {
        groups.push({ path: at, ...readAttributes(module, path, child, at, attributeNames(module, file, path, at)) });
        walk(child, `${at}/`);
      } else if (child instanceof lib.BrokenSoftLink) skippedLinks.push({ kind: "dangling", path: at, target: child.target });
      else if (child instanceof lib.ExternalLink) skippedLinks.push({ kind: "external", path: at, target: child.obj_path, file: child.filename });
    }
  };
  walk(file, "/");

  // Dimension scales first: their names are the dimension names.
  const scaleName = new Map<string, string>();
  const dimensionOnly = new Set<string>();
  for (const { path: p, ds, attrs } of datasets) {
    if (!attrs.includes("CLASS")) continue;
    if (readOne(module, ds, path, p, "CLASS").value !== "DIMENSION_SCALE") continue;
    const nameValue = attrs.includes("NAME") ? String(readOne(module, ds, path, p, "NAME").value) : "";
    const base = p.slice(p.lastIndexOf("/") + 1);
    if (nameValue.startsWith(NOT_A_VARIABLE)) {
      dimensionOnly.add(p);
      scaleName.set(p, base);
    } else {
      scaleName.set(p, nameValue !== "" ? nameValue : base);
    }
  }

  // Each scale's reference, to find the scales a DIMENSION_LIST names (made on first need).
  const scaleRefs = new Map<string, string>();
  const scaleByReference = () => {
    if (scaleRefs.size === 0) for (const p of scaleName.keys()) scaleRefs.set(referenceKey(readChecked(path, p, () => module.create_object_reference(file.file_id, p))), p);
    return scaleRefs;
  };
  /** Per axis, the first scale attached (null: none): DIMENSION_LIST read once, else the library axis by axis. */
  const attachedScales = (p: string, ds: H5Dataset, rank: number): Array<string | null> => {
    try {
      const listed = scalesFromDimensionList(readOne(module, ds, path, p, "DIMENSION_LIST").value, rank, scaleByReference());
      if (listed) return listed;
    } catch {
      // The library's own lookup below reports what is wrong with the list.
    }
    return Array.from({ length: rank }, (_, axis) => readChecked(path, `${p} dimension ${axis}`, () => ds.get_attached_scales(axis))[0] ?? null);
  };

  // Dimensions by group and name: netCDF lets a group define a dimension of a name its parent
  // also uses. A scale's dimension belongs to the scale's group; phony dimensions to the root.
  const dims = new Map<string, DimensionSpec>();
  const phony = new Map<number, string>();
  const variables: VariableInfo[] = [];
  for (const { path: p, ds, attrs } of datasets) {
    const meta = readChecked(path, p, () => ds.metadata);
    const hasScales = attrs.includes("DIMENSION_LIST");
    const shape = (meta.shape ?? []).map(Number);
    const maxshape = (meta.maxshape ?? shape).map(Number);
    const unlimited = maxshape.map((m) => m >= UNLIMITED);
    const name = p.slice(p.lastIndexOf("/") + 1);
    const isScale = scaleName.has(p);
    const attached = hasScales && !(isScale && shape.length === 1) ? attachedScales(p, ds, shape.length) : [];
    const axes = shape.map((size, axis): { name: string; group: string | undefined } => {
      if (isScale && shape.length === 1) return { name: scaleName.get(p) ?? name, group: groupOf(p) };
      const scalePath = attached[axis];
      if (scalePath) return { name: scaleName.get(scalePath) ?? scalePath.slice(scalePath.lastIndexOf("/") + 1), group: groupOf(scalePath) };
      let d = phony.get(size);
      if (d === undefined) {
        d = `phony_dim_${phony.size}`;
        phony.set(size, d);
      }
      return { name: d, group: undefined };
    });
    const dimensions = axes.map((a) => a.name);
    axes.forEach(({ name: d, group }, axis) => {
      const key = `${group ?? "/"}\u0000${d}`;
      const prev = dims.get(key);
      const size = shape[axis] ?? 0;
      if (!prev || size > prev.size) dims.set(key, { name: d, size, unlimited: (unlimited[axis] ?? false) || (prev?.unlimited ?? false), ...(group === undefined ? {} : { group }) });
    });
    if (dimensionOnly.has(p)) continue;
    const { kind, dtype, typeName } = valueKindOf(meta as typeof meta & { enum_type?: { type: number; members: Record<string, number> } });
    const members = (meta as { enum_type?: { members?: Record<string, number | bigint> } }).enum_type?.members;
    variables.push({
      name,
      path: p,
      dimensions,
      shape,
      unlimited,
      dtype,
      ...(dtype[0] === "<" ? { storedDtype: `${meta.littleEndian ? "<" : ">"}${dtype.slice(1)}` } : {}),
      kind,
      chunks: meta.chunks ? meta.chunks.map(Number) : null,
      ...(options.briefExcept !== undefined && !(isScale && shape.length === 1) && !options.briefExcept.has(name)
        ? { filters: [], attributes: {}, floatAttributes: [], brief: true as const }
        : { filters: readChecked(path, p, () => ds.filters).map((f) => f.name), ...readAttributes(module, path, ds, p, attrs) }),
      isCoordinate: isScale && shape.length === 1,
      ...(typeName ? { typeName } : {}),
      ...(members && typeName === "enum" ? { enumDict: Object.fromEntries(Object.entries(members).map(([k, x]) => [k, Number(x)])) } : {}),
    });
  }
  return {
    path,
    size: st.size,
    mtimeMs: st.mtimeMs,
    dimensions: [...dims.values()],
    ...readAttributes(module, path, file, "/", attributeNames(module, file, path, "/")),
    groups,
    variables,
    ...(skippedLinks.length > 0 ? { skippedLinks } : {}),
  };
}
