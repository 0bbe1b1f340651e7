import { comparableText } from "../json/tagged-numbers.js";
import { concatAlong } from "../concat.js";
import type { DimensionSpec, FileInfo, VariableInfo } from "../h5/describe.js";
import type { Issue } from "../schemas.js";
import { reencoder } from "../refs/cf-time.js";
import type { FileEntry, Inventory, ProductGroup, ProductVariable } from "./inventory.js";
import type { PlanInput } from "./plan.js";
import { ownVariables } from "./variable-sets.js";
import { baseName as base } from "./file-names.js";

// merge: one concatenation per variable set (files holding the same variables), then the sets
// merged into one dataset, as xarray's open_mfdataset (combine="by_coords") and kerchunk's
// MultiZarrToZarr do: every set must cover the same steps of the concatenation dimension, and a
// variable held by several sets must be the same in each (its values compared up to SMALL
// elements); otherwise a named refusal. Each variable's data comes from the files of the first
// set that holds it.

/** Variables held by several sets are compared in full up to this many elements. */
const SMALL = 262_144;

const describe = (v: ProductVariable) => `${v.dtype} (${v.dimensions.join(", ")}) of shape [${v.shape.join(", ")}]`;

/** Index of the first difference (NaN equal to NaN), -1 when equal; 0 when the lengths differ. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}


export function mergeVariableSets(input: PlanInput, sets: number[][], planSeries: (input: PlanInput) => Inventory): Inventory {
  const files = input.files;
  const fileIndex = new Map(files.map((f, i) => [f.path, i]));
  const planOf = (set: number[], config: PlanInput["config"]) =>
    planSeries({
      ...input,
      config,
      files: set.map((i) => files[i] as FileInfo),
      values: (i, v) => input.values(set[i] as number, v),
      ...(input.storedChunks ? { storedChunks: (i: number) => input.storedChunks?.(set[i] as number) ?? 0 } : {}),
    });
  let plans = sets.map((s) => planOf(s, input.config));
  const own = ownVariables(files, sets);
  const names = own.map((list) => list.join(", "));
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const add = (i: Issue) => {
    if (seen.has(i.message)) return;
    seen.add(i.message);
    issues.push(i);
  };

  // One concatenation dimension for every set: a set of one file without an unlimited dimension
  // takes the others'.
  const dims = [...new Set(plans.map((p) => p.concatDim).filter((d): d is string => d !== null))];
  const only = dims[0];
  if (dims.length === 1 && only !== undefined && plans.some((p) => p.concatDim === null)) {
    plans = plans.map((p, k) => (p.concatDim === null ? planOf(sets[k] as number[], { ...input.config, concatDim: only }) : p));
  }
  for (const p of plans) p.issues.forEach(add);
  if (dims.length > 1) {
    add({
      severity: "fatal",
      code: "no_concat_dim",
      message: `the variable sets are concatenated along different dimensions (${plans.map((p, k) => `${names[k]}: ${p.concatDim ?? "none"}`).join("; ")}); set concat_dim`,
    });
  }
  const first = plans[0] as Inventory;
  const concatDim = first.concatDim;
  const setFiles = plans.map((p) => p.files.map((e) => fileIndex.get(e.path) as number));
  const coordOf = (p: Inventory) => p.variables.find((v) => v.name === concatDim && v.isCoordinate);
  const productCoord = coordOf(first);
  const units = productCoord?.attributes["units"];
  const calendar = productCoord?.attributes["calendar"];
  const boundsAttr = productCoord?.attributes["bounds"] ?? productCoord?.attributes["climatology"];
  const timeLike = (name: string) => name === concatDim || name === boundsAttr;

  /** A variable's values along its set's series, time-like ones in the product's units. */
  const seriesValues = (k: number, v: ProductVariable): Float64Array => {
    const plan = plans[k] as Inventory;
    const ordered = setFiles[k] as number[];
    const unitsOf = (e: FileEntry) => e.units ?? coordOf(plan)?.attributes["units"];
    const axis = v.concatenated && concatDim !== null ? v.dimensions.indexOf(concatDim) : -1;
    const take = axis < 0 ? ordered.slice(0, 1) : ordered;
    const parts = take.map((i, j) => {
      const info = (files[i] as FileInfo).variables.find((x) => x.path === v.sourcePath) as VariableInfo;
      let values = input.values(i, info);
      const from = unitsOf(plan.files[j] as FileEntry);
      if (timeLike(v.name) && typeof from === "string" && typeof units === "string" && from !== units) values = values.map(reencoder(from, units, calendar));
      return { items: values, shape: info.shape };
    });
    return Float64Array.from(concatAlong(parts, axis));
  };

  // Every set must cover the same steps: the merge has no steps to fill.
  if (concatDim !== null && productCoord && dims.length <= 1) {
    const ref = seriesValues(0, productCoord);
    plans.forEach((p, k) => {
      if (k === 0) return;
      const c = coordOf(p);
      if (!c) return;
      const other = seriesValues(k, c);
      const at = firstDifference(ref, other);
      if (at !== -1) {
        add({
          severity: "fatal",
          code: "variable_sets_differ",
          message:
            `the files holding ${names[0]} and the files holding ${names[k]} cover different ${concatDim} steps ` +
            `(${ref.length} and ${other.length} steps; first difference at index ${at}: ${ref[at] ?? "none"} and ${other[at] ?? "none"}): ` +
            `files holding different variables are merged only over the same ${concatDim} steps`,
          file: p.files[0]?.path ?? "",
          variable: concatDim,
        });
      }
    });
  }

  // The product's variables: the first set holding a variable provides it; any other set holding
  // it must hold the same.
  const variables: ProductVariable[] = [];
  plans.forEach((p, k) => {
    for (const v of p.variables) {
      const taken = variables.find((x) => x.name === v.name);
      if (!taken) {
        variables.push({ ...v, variableSet: k });
        continue;
      }
      const j = taken.variableSet ?? 0;
      const where = { file: p.files[0]?.path ?? "", variable: v.name };
      const between = `the files holding ${names[j]} (${base(plans[j]?.files[0]?.path ?? "")}) and the files holding ${names[k]} (${base(p.files[0]?.path ?? "")})`;
      if (taken.dtype !== v.dtype || JSON.stringify(taken.dimensions) !== JSON.stringify(v.dimensions) || JSON.stringify(taken.shape) !== JSON.stringify(v.shape)) {
        add({
          severity: "fatal",
          code: "variable_differs",
          message: `variable ${v.name} is ${describe(taken)} in the files holding ${names[j]} but ${describe(v)} in the files holding ${names[k]} (${base(p.files[0]?.path ?? "")}); a variable in two variable sets must be the same in both`,
          ...where,
        });
        continue;
      }
      if (v.name === concatDim) continue; // compared above
      const elements = v.shape.reduce((a, b) => a * b, 1);
      const numeric = v.kind === "float" || v.kind === "int" || v.kind === "uint";
      if (elements > SMALL || !numeric) {
        const why = numeric ? `at ${elements} values it is not compared between them` : `its ${v.kind} values are not compared between them`;
        add({ severity: "warning", code: "variable_not_compared", message: `variable ${v.name} is in ${between}; ${why}, the product takes the first`, ...where });
        continue;
      }
      const at = firstDifference(seriesValues(j, taken), seriesValues(k, v));
      if (at !== -1) {
        add({ severity: "fatal", code: "variable_differs", message: `variable ${v.name} differs between ${between} (first at index ${at}); a variable in two variable sets must hold the same values`, ...where });
      }
    }
  });

  // Files' time units relative to the product's (each set's plan compared with its own first file).
  const entries: FileEntry[] = plans.flatMap((p, k) =>
    p.files.map((e) => {
      const { units: differing, ...rest } = e;
      const fileUnits = differing ?? coordOf(p)?.attributes["units"];
      return { ...rest, variableSet: k, ...(typeof fileUnits === "string" && typeof units === "string" && fileUnits !== units ? { units: fileUnits } : {}) };
    }),
  );
  const dimensions: DimensionSpec[] = [];
  for (const p of plans) for (const d of p.dimensions) if (!dimensions.some((x) => x.name === d.name && (x.group ?? "/") === (d.group ?? "/"))) dimensions.push(d);
  const groups: ProductGroup[] = [];
  for (const p of plans) for (const g of p.groups) if (!groups.some((x) => x.name === g.name)) groups.push(g);
  const firstFiles = plans.map((p) => files[fileIndex.get(p.files[0]?.path ?? "") ?? 0] as FileInfo);
  const differing = new Set(plans.flatMap((p) => p.differingAttributes));
  for (const k of Object.keys(first.attributes)) if (firstFiles.some((f) => comparableText(f.attributes[k]) !== comparableText((firstFiles[0] as FileInfo).attributes[k]))) differing.add(k);

  return {
    ...first,
    files: entries,
    identicalDims: [...new Set(plans.flatMap((p) => p.identicalDims))],
    dimensions,
    differingAttributes: [...differing],
    groups,
    variables,
    variableSets: plans.map((p, k) => ({ variables: own[k] ?? [], files: p.files.map((e) => e.path) })),
    // Time and its bounds are re-encoded in the files (of the set providing them) whose units differ.
    reencoded: variables.filter((v) => timeLike(v.name) && entries.some((e) => e.units !== undefined && (e.variableSet ?? 0) === (v.variableSet ?? 0))).map((v) => v.name),
    bytes: plans.reduce((s, p) => s + p.bytes, 0),
    chunks: plans.reduce((s, p) => s + p.chunks, 0),
    issues,
  };
}
