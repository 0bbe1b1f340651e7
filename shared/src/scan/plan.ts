import { comparableText } from "../json/tagged-numbers.js";
import type { DimensionSpec, FileInfo, VariableInfo } from "../h5/describe.js";
import type { AttrValue, Issue, ProjectConfig } from "../schemas.js";
import { chooseChunks, nonZeroChunks } from "./chunks.js";
import { isTextDtype, itemSize, refusalOfInfo } from "../strings/kinds.js";
import { reencoder, sameCalendar } from "../refs/cf-time.js";
import { fillValueOf } from "../refs/single.js";
import { chooseConcatDim } from "./concat-dim.js";
import { groupOf, visibleDimension } from "../formats/scope.js";
import { checksumCodecIssues } from "./checksum-codec.js";
import { productGroups } from "./groups.js";
import { linkIssues } from "./links.js";
import { describeStorage, storageDifference, type StoredForm } from "./storage.js";
import { mergeVariableSets } from "./merge-sets.js";
import { variableSets } from "./variable-sets.js";
import { INVENTORY_VERSION, type FileEntry, type Inventory, type ProductVariable } from "./inventory.js";
import { fileNamer } from "./file-names.js";

// open → inspect → combine: given what each file holds, decide how they make one dataset and
// say precisely what stands in the way. Pure: reading values goes through the `values` callback.

export interface PlanInput {
  project: string;
  files: FileInfo[];
  config: ProjectConfig;
  /** All values of a variable of file i, as float64 (used for coordinates and small variables). */
  values: (fileIndex: number, variable: VariableInfo) => Float64Array;
  /** Stored chunks of file i (for the summary), if known. */
  storedChunks?: (fileIndex: number) => number;
  now?: Date;
}

/** Attributes whose difference between files changes what the numbers mean. */
const decodingAttributes = ["_FillValue", "missing_value", "scale_factor", "add_offset", "units", "calendar"];
/** Variables no larger than this (elements) are compared in full across files when not concatenated. */
const SMALL = 262_144;

/** Equality of attribute values, shapes and name lists (primitives and flat arrays of them). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
}

/** An attribute's value for a message: its JSON, or "none" where the variable does not have it. */
const attributeText = (x: AttrValue | undefined): string => (x === undefined ? "none" : comparableText(x));

/** The first index of `values` holding the variable's _FillValue or missing_value (-1: none). */
function firstFill(values: Float64Array, attributes: Record<string, AttrValue>): number {
  const fills = [attributes["_FillValue"], attributes["missing_value"]].flat().filter((x): x is number | bigint => typeof x === "number" || typeof x === "bigint").map(Number);
  if (fills.length === 0) return -1;
  return values.findIndex((x) => fills.some((f) => x === f || (Number.isNaN(x) && Number.isNaN(f))));
}

function sameValues(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}


/** "?" marks a byte order the reader could not tell (it is then not compared). */
const storedForm = (v: VariableInfo): StoredForm => ({ dtype: v.storedDtype ?? `?${v.dtype.slice(1)}`, chunks: v.chunks, filters: v.filters });

/**
 * The variable names a CF attribute holds: a list ("lat lon"); cell_measures as "area: areacella
 * volume: volcello" (the names after each "measure:"); grid_mapping as one name, or in its
 * extended form "crs: x y" (the names before each ":", and the coordinates after them).
 */
export function namedIn(attribute: string, text: string): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (attribute === "cell_measures") return words.filter((w) => !w.endsWith(":"));
  return words.map((w) => (w.endsWith(":") ? w.slice(0, -1) : w));
}

function selectVariables(first: FileInfo, config: ProjectConfig, issues: Issue[], base: (path: string) => string): VariableInfo[] {
  let vars = first.variables;
  if (config.keepVars && config.keepVars.length > 0) {
    const keep = new Set(config.keepVars);
    for (const k of config.keepVars) {
      if (!vars.some((v) => v.name === k)) {
        issues.push({ severity: "fatal", code: "missing_variable", message: `keep_vars names ${k}, which ${base(first.path)} does not have`, file: first.path, variable: k });
      }
    }
    // Keep what the kept variables need: their dimensions' coordinates, bounds, auxiliary
    // coordinates, grid mapping and cell measures (CF names them in attributes).
    const needed = new Set<string>(keep);
    for (const v of vars.filter((x) => keep.has(x.name))) {
      v.dimensions.forEach((d) => needed.add(d));
      for (const a of ["coordinates", "bounds", "ancillary_variables", "grid_mapping", "cell_measures"]) {
        const ref = v.attributes[a];
        if (typeof ref === "string") namedIn(a, ref).forEach((n) => needed.add(n));
      }
    }
    for (const v of vars.filter((x) => x.isCoordinate && needed.has(x.name))) {
      const b = v.attributes["bounds"];
      if (typeof b === "string") needed.add(b);
    }
    vars = vars.filter((v) => needed.has(v.name));
  }
  return vars.filter((v) => {
    const why = refusalOfInfo(v);
    if (why === undefined) return true;
    issues.push({ severity: "warning", code: "variable_refused", message: `variable ${v.name} ${why}; it is left out of the product`, variable: v.name });
    return false;
  });
}

/**
 * The plan for a project: one concatenation along the concatenation dimension, or — when files
 * hold different variables for the same steps (one variable per file) — a merge of one
 * concatenation per variable set.
 */
export function planAggregation(input: PlanInput): Inventory {
  const sets = variableSets(input.files);
  return sets.length > 1 ? mergeVariableSets(input, sets, planSeries) : planSeries(input);
}

/** Files holding the same variables, concatenated along one dimension. */
export function planSeries(input: PlanInput): Inventory {
  const { files, config } = input;
  const issues: Issue[] = linkIssues(files);
  const first = files[0];
  if (!first) throw new Error("planAggregation needs at least one file");
  const base = fileNamer(files.map((f) => f.path));
  const vars = selectVariables(first, config, issues, base);
  issues.push(...checksumCodecIssues(vars, config.format));

  const concatDim = chooseConcatDim(files, vars, config, input.values, issues);
  const lengthOf = (f: FileInfo) => (concatDim === null ? 0 : (visibleDimension(f.dimensions, "/", concatDim)?.size ?? 0));

  // Order files along the concatenation dimension and check they neither overlap nor repeat.
  const order = files.map((_, i) => i);
  const coordVar = concatDim === null ? undefined : vars.find((v) => v.isCoordinate && v.name === concatDim);
  const boundsAttr = coordVar?.attributes["bounds"] ?? coordVar?.attributes["climatology"];
  // The bounds are re-encoded with the coordinate only where they are labelled as it is (CF: no units
  // of their own, or the same): bounds with units of their own are an ordinary variable, whose units
  // must then agree between files.
  const followsTime = (f: FileInfo, name: string) => {
    const own = f.variables.find((v) => v.name === name)?.attributes["units"];
    return own === undefined || same(own, f.variables.find((v) => v.name === concatDim)?.attributes["units"]);
  };
  const bounds = typeof boundsAttr === "string" && vars.some((v) => v.name === boundsAttr) && files.every((f) => followsTime(f, boundsAttr)) ? boundsAttr : undefined;
  const shifts: Array<((x: number) => number) | undefined> = [];
  const differingUnits: Record<number, string> = {};
  /** The concatenated coordinate's units in the product, when files differ in them. */
  let productUnits: string | undefined;
  if (concatDim !== null && coordVar && files.length > 1) {
    // Each file's own concatenated coordinate (absent: reported below as missing).
    const fileCoords = files.map((f) => f.variables.find((v) => v.name === concatDim));
    const units = fileCoords.map((c) => c?.attributes["units"]);
    /** Files whose times cannot be put in the others' units: not compared with them (their own problem is reported). */
    const unplaced = new Set<number>();
    const calendar = coordVar.attributes["calendar"];
    units.forEach((u, i) => {
      if (same(u, units[0]) || !fileCoords[i]) return;
      try {
        shifts[i] = reencoder(String(u), String(units[0]), calendar);
        differingUnits[i] = String(u);
      } catch (e) {
        unplaced.add(i);
        issues.push({
          severity: "fatal",
          code: "units_differ",
          message: `${concatDim} units differ: ${base(first.path)} has ${JSON.stringify(units[0])}, ${base(files[i]?.path ?? "")} has ${JSON.stringify(u)}, and drover cannot re-encode them (${(e as Error).message})`,
          file: files[i]?.path ?? "",
          variable: concatDim,
        });
      }
    });
    /** Per file, the first index where its coordinate holds its own fill value (-1: none). */
    const missingAt: number[] = [];
    const coords = fileCoords.map((own, i) => {
      // A file without the coordinate has no place in the order.
      if (!own) return new Float64Array(0);
      const raw = input.values(i, own);
      missingAt[i] = firstFill(raw, own.attributes);
      const map = shifts[i];
      return map ? raw.map(map) : raw;
    });
    order.sort((a, b) => (coords[a]?.[0] ?? 0) - (coords[b]?.[0] ?? 0));
    // The product is labelled with the earliest file's units, so values are re-encoded to those
    // (they were compared above in the first listed file's, which orders them the same).
    const e = order[0] as number;
    if (!same(units[e], units[0]) && fileCoords[e]) {
      productUnits = String(units[e]);
      for (const key of Object.keys(differingUnits)) delete differingUnits[Number(key)];
      units.forEach((u, i) => {
        if (fileCoords[i] && !same(u, units[e])) differingUnits[i] = String(u);
      });
    }
    if (order.some((v, i) => v !== i)) {
      issues.push({ severity: "warning", code: "unsorted", message: `files were not listed in ${concatDim} order; they are taken in ${concatDim} order`, variable: concatDim });
    }
    if (Object.keys(differingUnits).length > 0) {
      issues.push({
        severity: "warning",
        code: "time_reencoded",
        message: `${concatDim} units differ between files; values${bounds ? ` and ${bounds}` : ""} are re-encoded to ${JSON.stringify(productUnits ?? units[0])}, the earliest file's`,
        variable: concatDim,
      });
    }
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      const c = coords[i] as Float64Array;
      const f = files[i] as FileInfo;
      if (unplaced.has(i)) continue;
      const missing = missingAt[i] ?? -1;
      if (missing >= 0) {
        issues.push({ severity: "fatal", code: "missing_coordinate_value", message: `${concatDim} in ${base(f.path)} is missing (its fill value) at index ${missing}: every step of a concatenated coordinate needs its value; mend or leave out the file`, file: f.path, variable: concatDim });
        continue;
      }
      for (let j = 1; j < c.length; j++) {
        if (!((c[j] as number) > (c[j - 1] as number))) {
          issues.push({ severity: "fatal", code: "not_monotonic", message: `${concatDim} in ${base(f.path)} is not increasing at index ${j} (${c[j - 1]} then ${c[j]})`, file: f.path, variable: concatDim });
          break;
        }
      }
      if (k > 0 && !unplaced.has(order[k - 1] as number)) {
        const p = order[k - 1] as number;
        const prev = coords[p] as Float64Array;
        const last = prev[prev.length - 1];
        if (last !== undefined && c[0] !== undefined && !(c[0] > last)) {
          issues.push({
            severity: "fatal",
            code: "overlap",
            message: `${base(f.path)} starts at ${concatDim}=${c[0]}, not after the end of ${base(files[p]?.path ?? "")} (${last}): the files overlap or one is a duplicate`,
            file: f.path,
            variable: concatDim,
          });
        }
      }
    }
  }
  if (concatDim !== null && !coordVar && files.length > 1) {
    issues.push({
      severity: "warning",
      code: "no_coordinate",
      message: `the files have no ${concatDim} coordinate variable: they are joined along ${concatDim} in the order given, which nothing can check`,
      variable: concatDim,
    });
  }
  const ordered = order.map((i) => files[i] as FileInfo);

  /** Whether a file holds the variable (one it lacks is reported below as missing). */
  const holds = (f: FileInfo, v: VariableInfo) => f.variables.some((x) => x.path === v.path);
  const earliest = ordered[0] as FileInfo;

  // Identical dimensions: every non-concatenated coordinate must have the same values everywhere.
  const identicalDims: string[] = [];
  for (const v of vars.filter((x) => x.isCoordinate && x.name !== concatDim)) {
    if (!holds(earliest, v)) continue;
    const ref = input.values(order[0] as number, v);
    let ok = true;
    for (let k = 1; k < ordered.length; k++) {
      const other = (ordered[k] as FileInfo).variables.find((x) => x.path === v.path);
      if (!other) continue; // reported below as a missing variable
      const at = sameValues(ref, input.values(order[k] as number, other));
      if (at !== -1) {
        ok = false;
        issues.push({
          severity: "fatal",
          code: "coordinate_differs",
          message: `coordinate ${v.name} differs between ${base((ordered[0] as FileInfo).path)} and ${base((ordered[k] as FileInfo).path)} (first at index ${at}); they cannot be concatenated along ${concatDim}`,
          file: (ordered[k] as FileInfo).path,
          variable: v.name,
        });
        break;
      }
    }
    if (ok) identicalDims.push(v.name);
  }
  for (const d of config.identicalDims ?? []) {
    if (!identicalDims.includes(d)) {
      issues.push({ severity: "fatal", code: "coordinate_differs", message: `identical_dims names ${d}, but it is not a coordinate shared identically by every file`, variable: d });
    }
  }

  // Every variable must look the same in every file as in the first listed (which `vars` come
  // from), but for its length along concatDim.
  for (const v of vars) {
    const concatAxis = concatDim === null ? -1 : v.dimensions.indexOf(concatDim);
    for (const f of ordered) {
      if (f === first) continue;
      const o = f.variables.find((x) => x.path === v.path);
      const where = { file: f.path, variable: v.name };
      if (!o) {
        issues.push({ severity: "fatal", code: "missing_variable", message: `variable ${v.name} is missing from ${base(f.path)}; drop it with keep_vars or fix the file`, ...where });
        continue;
      }
      if (!same(o.dimensions, v.dimensions)) {
        issues.push({ severity: "fatal", code: "dimension_mismatch", message: `variable ${v.name} has dimensions (${o.dimensions.join(", ")}) in ${base(f.path)} but (${v.dimensions.join(", ")}) in ${base(first.path)}`, ...where });
        continue;
      }
      if (o.dtype !== v.dtype) {
        issues.push({ severity: "fatal", code: "dtype_mismatch", message: `variable ${v.name} is ${o.dtype} in ${base(f.path)} but ${v.dtype} in ${base(first.path)}`, ...where });
      }
      if (o.shape.some((n, a) => a !== concatAxis && n !== v.shape[a])) {
        issues.push({ severity: "fatal", code: "shape_mismatch", message: `variable ${v.name} has shape [${o.shape}] in ${base(f.path)} but [${v.shape}] in ${base(first.path)} (only ${concatDim ?? "the concatenation dimension"} may differ)`, ...where });
      }
      const mine = storedForm(v);
      const theirs = storedForm(o);
      const diff = storageDifference(mine, theirs);
      if (concatAxis >= 0 && (diff.byteOrder || diff.filters)) {
        // References would point at both files' chunks under one dtype and one filter pipeline.
        issues.push({
          severity: "warning",
          code: "storage_differs",
          message: `variable ${v.name} is stored ${describeStorage(mine)} in ${base(first.path)} but ${describeStorage(theirs)} in ${base(f.path)}; references cannot point at both, so they inline it when small, else the Zarr copy is written`,
          ...where,
        });
      } else if (diff.chunks) {
        issues.push({ severity: "warning", code: "chunk_shape_differs", message: `variable ${v.name} is chunked [${o.chunks ?? "contiguous"}] in ${base(f.path)} but [${v.chunks ?? "contiguous"}] in ${base(first.path)}; the product uses one chunk shape`, ...where });
      }
      for (const a of decodingAttributes) {
        if (a === "units" && (v.name === concatDim || v.name === bounds)) continue;
        if (a === "calendar" ? !sameCalendar(o.attributes[a], v.attributes[a]) : !same(o.attributes[a], v.attributes[a])) {
          // Concatenated, the values would be joined as they are under the first file's label.
          const fix = concatAxis < 0 ? "" : a === "units" && v.name === boundsAttr ? `; bounds with units of their own are not re-encoded with ${concatDim}: rewrite the files in one unit, or drop ${v.name}'s units attribute (CF bounds take their coordinate's)` : a === "units" ? `; drover re-encodes only ${concatDim} and its bounds: rewrite the files in one unit, or leave ${v.name} out with keep_vars` : v.name === concatDim ? "; rewrite the files with one encoding (the concatenated coordinate cannot be left out)" : "; rewrite the files with one encoding, or leave it out with keep_vars";
          issues.push({
            severity: concatAxis >= 0 ? "fatal" : "warning",
            code: a === "units" ? "units_differ" : "attribute_differs",
            message: `variable ${v.name} has ${a}=${attributeText(o.attributes[a])} in ${base(f.path)} but ${attributeText(v.attributes[a])} in ${base(first.path)}${fix}`,
            ...where,
          });
        }
      }
    }
    // A variable that does not span concatDim is taken from the first file: it must not change.
    if (concatAxis < 0 && ordered.length > 1 && holds(earliest, v) && !v.isCoordinate && v.kind !== "string" && v.shape.reduce((a, b) => a * b, 1) <= SMALL) {
      const lastFile = ordered[ordered.length - 1] as FileInfo;
      const o = lastFile.variables.find((x) => x.path === v.path);
      if (o && same(o.shape, v.shape)) {
        const at = sameValues(input.values(order[0] as number, v), input.values(order[order.length - 1] as number, o));
        if (at !== -1) {
          issues.push({
            severity: "fatal",
            code: "variable_differs",
            message: `variable ${v.name} does not span ${concatDim} but differs between ${base((ordered[0] as FileInfo).path)} and ${base(lastFile.path)} (first at index ${at}); leave it out with keep_vars`,
            file: lastFile.path,
            variable: v.name,
          });
        }
      }
    }
  }
  // netCDF gives every variable along an unlimited dimension the dimension's length; HDF5 keeps
  // what was written. A variable written for fewer steps than its dimension holds is refused.
  for (const f of ordered) {
    for (const v of f.variables) {
      if (!vars.some((x) => x.path === v.path)) continue;
      v.dimensions.forEach((d, a) => {
        const dim = visibleDimension(f.dimensions, groupOf(v.path), d);
        if (dim && (v.shape[a] ?? 0) < dim.size) {
          issues.push({
            severity: "fatal",
            code: "partly_written",
            message: `variable ${v.name} has ${v.shape[a]} of the ${dim.size} ${d} steps of ${base(f.path)} written; drover does not fill unwritten records yet, leave it out with keep_vars`,
            file: f.path,
            variable: v.name,
          });
        }
      });
    }
  }
  for (const f of ordered) {
    if (f === first) continue;
    for (const o of f.variables) {
      if (vars.some((v) => v.path === o.path) || !first.variables.every((v) => v.path !== o.path)) continue;
      if (config.keepVars && !config.keepVars.includes(o.name)) continue;
      issues.push({ severity: "warning", code: "extra_variable", message: `variable ${o.name} is in ${base(f.path)} but not in ${base(first.path)}; it is left out`, file: f.path, variable: o.name });
    }
  }

  // The product: one entry per variable, with its concatenated shape and chunking.
  let start = 0;
  const entries: FileEntry[] = ordered.map((f) => {
    const n = concatDim === null ? 0 : lengthOf(f);
    const original = files.indexOf(f);
    const e: FileEntry = {
      ...(differingUnits[original] !== undefined ? { units: differingUnits[original] } : {}),
      path: f.path,
      size: f.size,
      mtimeMs: f.mtimeMs,
      concatStart: start,
      concatLength: n,
      variables: Object.fromEntries(f.variables.map((v) => [v.name, { shape: v.shape, chunks: v.chunks, filters: v.filters, ...(v.storedDtype ? { storedDtype: v.storedDtype } : {}) }])),
    };
    start += n;
    return e;
  });
  const concatLength = start;
  const variables: ProductVariable[] = vars.map((v) => {
    const concatenated = concatDim !== null && v.dimensions.includes(concatDim);
    const shape = v.dimensions.map((d, a) => (d === concatDim ? concatLength : (v.shape[a] ?? 0)));
    // Attributes as the earliest file has them (the first in the product), like the global ones: for
    // the coordinate, and bounds labelled like it, those are the product's units.
    const labelled = earliest.variables.find((x) => x.path === v.path) ?? v;
    const { _FillValue, ...attributes } = labelled.attributes;
    return {
      name: v.path.slice(1),
      sourcePath: v.path,
      dimensions: v.dimensions,
      shape,
      dtype: v.dtype,
      kind: v.kind,
      // Text is written whole, in one chunk (../compute/write-text.ts); numbers chunk by chunk.
      chunks: isTextDtype(v.dtype) ? nonZeroChunks(shape) : chooseChunks(shape, v.chunks, itemSize(v.dtype), concatenated ? v.dimensions.indexOf(concatDim ?? "") : -1),
      sourceChunks: v.chunks,
      filters: v.filters,
      fillValue: fillValueOf(_FillValue),
      attributes,
      floatAttributes: labelled.floatAttributes.filter((a) => a !== "_FillValue"),
      concatenated,
      isCoordinate: v.isCoordinate,
      ...(v.enumDict ? { enumDict: v.enumDict } : {}),
    };
  });
  const dimensions: DimensionSpec[] = first.dimensions.map((d) => ({ ...d, size: d.name === concatDim ? concatLength : d.size }));

  const differingAttributes = Object.keys(first.attributes).filter((k) => files.some((f) => !same(f.attributes[k], first.attributes[k])));
  const attributes: Record<string, AttrValue> = { ...(ordered[0] as FileInfo).attributes };
  for (const k of config.removals ?? []) delete attributes[k];
  Object.assign(attributes, config.updates ?? {});

  return {
    version: INVENTORY_VERSION,
    project: input.project,
    createdAt: (input.now ?? new Date()).toISOString(),
    files: entries,
    concatDim,
    concatLength,
    identicalDims,
    dimensions,
    attributes,
    floatAttributes: (ordered[0] as FileInfo).floatAttributes.filter((a) => a in attributes),
    differingAttributes,
    groups: productGroups(ordered, issues),
    variables,
    reencoded: Object.keys(differingUnits).length > 0 ? [concatDim ?? "", ...(bounds ? [bounds] : [])] : [],
    bytes: files.reduce((s, f) => s + f.size, 0),
    chunks: files.reduce((s, _f, i) => s + (input.storedChunks?.(i) ?? 0), 0),
    issues,
  };
}
