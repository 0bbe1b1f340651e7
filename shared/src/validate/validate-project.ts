import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import FileSystemStore from "@zarrita/storage/fs";
import * as zarr from "zarrita";
import { registerEncoders } from "../compute/codecs.js";
import { DroverError, isDroverError } from "../errors.js";
import { openParquetRefs } from "../refs/parquet.js";
import { createRefsStore } from "../refs/store.js";
import type { KerchunkV1 } from "../refs/types.js";
import { writeJsonAtomic } from "../fsutil.js";
import type { FileInfo, VariableInfo } from "../h5/describe.js";
import { H5FilePool } from "../h5/pool.js";
import type { NumericArray } from "../h5/read.js";
import type { Progress } from "../scan/scan-project.js";
import type { AttrValue, ProjectConfig, ValidationSummary } from "../schemas.js";
import { reencodedForComparison, reencoder } from "../refs/cf-time.js";
import { plainJson, type JsonValue } from "../json/python-json.js";
import { compareGlobalAttributes, compareVariableAttributes, zarrayFill, zattrsOf } from "./attributes.js";
import { boxesOf, checkByFile, type Box } from "./boxes.js";
import { compareValues, position } from "./compare.js";
import { compareGroups, extraGroups } from "./groups.js";
import { visibleDimension } from "../formats/scope.js";
import { variableSets } from "../scan/variable-sets.js";
import { checkMetadataDocuments } from "./metadata-documents.js";
import { describeSources, openerInThread, type ValidationSource } from "./validation-sources.js";
import { ENUM_ATTRIBUTE } from "../strings/kinds.js";
import { readProductDocuments } from "./product-documents.js";
import { emptyDataReport, emptyMetadataReport, judge, note, type DataReport, type IgnoreTemplate, type MetadataReport } from "./report.js";

// The validator reopens the product as a user would (zarrita) and compares it with the source
// files read by h5wasm, independently of the scan's plan: every coordinate in full, and boxes of
// every variable from the first, the last and one pseudo-random file.

export interface ValidationResult {
  dataReport: string;
  metadataReport: string;
  summary: ValidationSummary;
  data: DataReport;
  metadata: MetadataReport;
}

const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);

type ZArray = zarr.Array<zarr.DataType, zarr.Readable>;

async function openProductArray(root: zarr.Location<zarr.Readable>, name: string): Promise<ZArray | undefined> {
  try {
    // Attributes come from the documents as Python reads them (zarrita's JSON.parse has no NaN).
    return await zarr.open.v2(root.resolve(name), { kind: "array", attrs: false });
  } catch {
    return undefined;
  }
}

/** Whether the product has a group of that name. */
async function hasProductGroup(root: zarr.Location<zarr.Readable>, name: string): Promise<boolean> {
  try {
    await zarr.open.v2(root.resolve(name), { kind: "group", attrs: false });
    return true;
  } catch {
    return false;
  }
}

/** `read`, with a failure to decode the product's chunks named by variable and box. */
async function productBox<T>(arr: ZArray, start: number[], stop: number[], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isDroverError(e)) throw e;
    const box = start.map((s, a) => `${s}:${stop[a] ?? s}`).join(",");
    throw new DroverError("ValidationError", `the product's ${arr.path}[${box}] cannot be read: ${(e as Error).message}; a chunk it points at is damaged, or the product is`, { variable: arr.path, cause: e });
  }
}

async function readProduct(arr: ZArray, start: number[], stop: number[]): Promise<NumericArray> {
  return productBox(arr, start, stop, () => readProductBox(arr, start, stop));
}

async function readProductBox(arr: ZArray, start: number[], stop: number[]): Promise<NumericArray> {
  if (arr.shape.length === 0) {
    const v = await zarr.get(arr, null);
    return (typeof v === "object" && v !== null && "data" in v ? v.data : Float64Array.of(Number(v))) as NumericArray;
  }
  if (start.some((s, a) => (stop[a] ?? s) <= s)) return new Float64Array(0);
  const chunk = await zarr.get(arr, start.map((s, a) => zarr.slice(s, stop[a] ?? s)));
  return chunk.data as NumericArray;
}

/** Text elements of a box of the product: fixed-length bytes up to their trailing NULs, or vlen-utf8 strings. */
async function readProductText(arr: ZArray, start: number[], stop: number[]): Promise<string[]> {
  const got: unknown = await productBox(arr, start, stop, () => (arr.shape.length === 0 ? zarr.get(arr, null) : zarr.get(arr, start.map((s, a) => zarr.slice(s, stop[a] ?? s)))));
  const data: unknown = typeof got === "object" && got !== null && "data" in got ? (got as { data: unknown }).data : got;
  if (typeof data === "string") return [data];
  if (Array.isArray(data)) return data.map((x) => String(x));
  if (data instanceof zarr.ByteStringArray) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return Array.from({ length: data.length }, (_, i) => Buffer.from(bytes.subarray(i * data.chars, (i + 1) * data.chars)).toString("utf8").replace(/\0+$/, ""));
  }
  throw new DroverError("ValidationError", `the product's ${arr.path} does not hold text`);
}

/** The first differing element of two lists of strings, and how many differ; undefined when equal. */
function compareText(product: string[], source: string[]): { index: number; product: string | null; source: string | null; count: number } | undefined {
  let index = -1;
  let count = 0;
  for (let i = 0; i < Math.max(product.length, source.length); i++) {
    if (product[i] === source[i]) continue;
    if (index < 0) index = i;
    count++;
  }
  return index < 0 ? undefined : { index, product: product[index] ?? null, source: source[index] ?? null, count };
}

export async function validateProduct(options: {
  project: string;
  files: string[];
  config: ProjectConfig;
  product: string;
  workDir: string;
  ignore?: IgnoreTemplate;
  progress?: Progress;
  /**
   * The files already described by describeSources (with their readers), e.g. in worker threads
   * while the product was being made; by default they are described and read in this thread.
   */
  sources?: Promise<ValidationSource[]>;
  /** Source files whose boxes are read at the same time (more than 1 only with readers in other threads). */
  readConcurrency?: number;
}): Promise<ValidationResult> {
  const progress = options.progress ?? (() => {});
  const pool = options.sources ? undefined : await H5FilePool.create();
  const closers: Array<() => void> = [];
  const data = emptyDataReport();
  const meta = emptyMetadataReport();
  try {
    const sources = await (options.sources ?? describeSources(options.files, openerInThread(pool as H5FilePool), progress));
    if (sources.length !== options.files.length || sources.some((s, i) => s.info.path !== options.files[i])) {
      throw new Error("internal: the sources given to validateProduct are not its files");
    }
    const infos: FileInfo[] = sources.map((s) => s.info);
    registerEncoders();
    const refs = options.product.endsWith(".json") ? readRefs(options.product) : undefined;
    const refsStore = refs ? createRefsStore(refs) : options.product.endsWith(".parq") ? await openParquetRefs(options.product) : undefined;
    closers.push(() => refsStore?.close());
    const store: zarr.Readable = refsStore ?? new FileSystemStore(options.product);
    const root = zarr.root(store);
    // Every metadata document must be one Python's zarr 2 opens and reads as meant (ASCII,
    // Python's JSON with its NaN spellings, no zero chunk length): if not, the product is unusable.
    const checked = checkMetadataDocuments(await readProductDocuments(options.product, refs && refsStore ? { doc: refs, store: refsStore } : undefined));
    const problems = new Map<string, string[]>();
    for (const p of checked.problems) problems.set(p.key, [...(problems.get(p.key) ?? []), p.problem]);
    for (const [key, list] of problems) note(data.variables, "unreadable_metadata", key, { problems: list, info: "Python's zarr 2 cannot read this document as drover meant it" });
    const attrsOf = (key: string): Record<string, JsonValue> => zattrsOf(checked.documents.get(key === "" ? ".zattrs" : `${key}/.zattrs`));
    try {
      await zarr.open.v2(root, { kind: "group", attrs: false });
    } catch (e) {
      throw new DroverError("ValidationError", `${options.product} is not a readable Zarr v2 group: ${(e as Error).message}`, { cause: e });
    }

    // Which dimension the product was concatenated along: the one whose product length is the
    // sum of the files' lengths (and the same one the files name as unlimited or the configured one).
    // Files holding different variables for the same steps (one variable per file) are a merge
    // of one concatenation per variable set: each set is checked against the product on its own.
    const sets = variableSets(infos);
    const leaders = sets.map((set) => infos[set[0] as number] as FileInfo);
    const first = infos[0] as FileInfo;
    const productVars = new Map<string, ZArray>();
    for (const v of leaders.flatMap((l) => l.variables)) {
      if (productVars.has(v.path)) continue;
      const arr = await openProductArray(root, v.path.slice(1));
      if (arr) productVars.set(v.path, arr);
    }
    const concatDim = options.config.concatDim ?? guessConcatDim((sets[0] as number[]).map((i) => infos[i] as FileInfo), productVars);
    const lengthOf = (f: FileInfo) => (concatDim === null ? 0 : (visibleDimension(f.dimensions, "/", concatDim)?.size ?? 0));
    /** Every variable of every set, with the set's files in order and where each starts in the product. */
    const visits = (
      await Promise.all(
        sets.map(async (set, k) => {
          const order = (await orderFiles(set.map((i) => sources[i] as ValidationSource), concatDim)).map((j) => set[j] as number);
          const starts: number[] = [];
          const seriesLength = order.reduce((s, i) => {
            starts[i] = s;
            return s + lengthOf(infos[i] as FileInfo);
          }, 0);
          return (leaders[k] as FileInfo).variables.map((v) => ({ v, order, starts, seriesLength }));
        }),
      )
    ).flat();
    // The product keeps the attributes of each set's earliest file, which may have been described
    // briefly (without them): that file is described again, in full.
    const earliest = new Map<number, FileInfo>();
    for (const { order } of visits) {
      const i = order[0] as number;
      if (earliest.has(i)) continue;
      const info = infos[i] as FileInfo;
      earliest.set(i, info.variables.some((x) => x.brief) ? await (sources[i] as ValidationSource).describeFully() : info);
    }
    /** The variable as the earliest file of its set holds it. */
    const labelledBy = (v: VariableInfo, order: number[]): VariableInfo => earliest.get(order[0] as number)?.variables.find((x) => x.path === v.path) ?? v;
    /** Variables already checked once (a variable several sets hold: values checked in each, the rest once). */
    const seen = new Set<string>();

    compareGlobalAttributes(infos, attrsOf(""), options.config, meta);
    const timeVar = first.variables.find((x) => x.isCoordinate && x.name === concatDim);
    const timeArr = timeVar ? productVars.get(timeVar.path) : undefined;
    const timeAttrs = timeVar ? attrsOf(timeVar.path.slice(1)) : {};
    const timeBounds = timeVar?.attributes["bounds"] ?? timeVar?.attributes["climatology"];
    const productTime: ProductTime | undefined =
      timeVar && timeArr
        ? { coord: timeVar, units: plainJson(timeAttrs["units"]), calendar: plainJson(timeAttrs["calendar"]), boundsUnits: typeof timeBounds === "string" ? plainJson(attrsOf(timeBounds)["units"]) : undefined }
        : undefined;

    // Whether each variable's values can be compared (in the product, same dimensions, expected
    // shape), and which boxes of it; the reasons it cannot are reported in the loop below.
    const shapeIn = (path: string) => (i: number) => [...((infos[i] as FileInfo).variables.find((x) => x.path === path)?.shape ?? [])];
    const prepared = visits.map(({ v, order, starts, seriesLength }) => {
      const arr = productVars.get(v.path);
      if (!arr) return { problem: "missing" as const };
      const concatAxis = concatDim === null ? -1 : v.dimensions.indexOf(concatDim);
      const expectedShape = v.shape.map((n, a) => (a === concatAxis ? seriesLength : n));
      const dims = plainJson(attrsOf(v.path.slice(1))["_ARRAY_DIMENSIONS"]);
      if (JSON.stringify(dims) !== JSON.stringify(v.dimensions)) return { problem: "dims" as const, dims };
      if (JSON.stringify(arr.shape) !== JSON.stringify(expectedShape)) return { problem: "size" as const, arr, expectedShape };
      const boxes = boxesOf(v, concatAxis, order, starts, options.project, shapeIn(v.path), (i) => lengthOf(infos[i] as FileInfo));
      return { problem: undefined, arr, concatAxis, boxes };
    });
    // Every box compared first, source file by source file; reported below in the variables' order.
    const results = await checkByFile(
      prepared.map((p) => (p.problem === undefined ? p.boxes : [])),
      (k, b) => {
        const p = prepared[k] as Extract<(typeof prepared)[number], { problem: undefined }>;
        return compareBox((visits[k] as (typeof visits)[number]).v, p.arr, p.concatAxis, b, infos[b.file] as FileInfo, sources[b.file] as ValidationSource, productTime);
      },
      options.readConcurrency ?? 1,
    );

    // Every key below is the variable's key in the product (its path without the leading "/"),
    // which tells apart variables of the same name in different groups.
    for (const [k, { v }] of visits.entries()) {
      const key = v.path.slice(1);
      const p = prepared[k] as (typeof prepared)[number];
      const again = seen.has(key);
      seen.add(key);
      if (p.problem === "missing") {
        if (again) continue;
        if (notAsked(v, leaders, options.config.keepVars)) meta.skipped[key] = "left out by keep_vars";
        else note({ data_vars: meta.data_vars }, "data_vars", key, { type: "missing", info: "missing from zarr" });
        continue;
      }
      if (p.problem === "dims") {
        note(data.variables, "dim_errors", key, { zarr: p.dims ?? null, source: v.dimensions });
        continue;
      }
      if (p.problem === "size") {
        note(data.variables, "size_errors", key, { zarr: p.arr.shape, source: p.expectedShape });
        continue;
      }
      const { arr } = p;
      if (!again && !sameDtype(arr.dtype, v)) note(data.variables, "dtype/precision", key, { zarr: arr.dtype, source: v.dtype });
      const productAttrs = { ...attrsOf(key) };
      if (v.enumDict !== undefined || ENUM_ATTRIBUTE in productAttrs) {
        const inProduct = plainJson(productAttrs[ENUM_ATTRIBUTE]);
        delete productAttrs[ENUM_ATTRIBUTE];
        if (!sameDictionary(inProduct, v.enumDict)) {
          note(meta.attributes, key, ENUM_ATTRIBUTE, { type: v.enumDict === undefined ? "missing" : inProduct === undefined ? "missing" : "not_equal", zarr: inProduct ?? null, source: v.enumDict ?? null, info: v.enumDict === undefined ? "missing from source" : "the enumeration's names and values differ" });
        }
      }
      if (!again) compareVariableAttributes(labelledBy(v, (visits[k] as (typeof visits)[number]).order), productAttrs, zarrayFill(checked.documents.get(`${key}/.zarray`)), meta);
      if (!again) data.compared.variables.push(key);

      for (const [j, b] of p.boxes.entries()) {
        const { compared, diff, pStart } = (results[k] as BoxResult[])[j] as BoxResult;
        const info = infos[b.file] as FileInfo;
        data.compared.values += compared;
        if (!data.compared.files.includes(info.path)) data.compared.files.push(info.path);
        if (diff) {
          const shape = b.stop.map((e, a) => e - (b.start[a] ?? 0));
          note(v.isCoordinate ? data.dimensions : data.variables, "data_errors", key, {
            type: "not_equal",
            file: info.path,
            topleft: position(0, shape, pStart),
            bottomright: position(Math.max(0, compared - 1), shape, pStart),
            first_difference: { at: position(diff.index, shape, pStart), zarr: diff.product, source: diff.source },
            count: diff.count,
          });
          break;
        }
      }
    }
    const parquetKeys = options.product.endsWith(".parq") ? [...checked.documents.keys()].filter((k) => k !== ".zmetadata") : undefined;
    const listed = (refs ? Object.keys(refs.refs) : parquetKeys) ?? zarrMetadataKeys(options.product);
    for (const name of refsArrays(listed, { ...first, variables: leaders.flatMap((l) => l.variables) })) {
      note({ data_vars: meta.data_vars }, "data_vars", name, { type: "missing", info: `missing from ${base(first.path)}` });
    }
    const productGroups = new Map<string, Record<string, JsonValue> | undefined>();
    for (const g of first.groups) {
      const name = g.path.slice(1);
      productGroups.set(name, (await hasProductGroup(root, name)) ? attrsOf(name) : undefined);
    }
    compareGroups(infos, productGroups, extraGroups(listed, first), meta);
    if (concatDim !== null) await checkMonotonic(first, productVars, concatDim, data);
    progress(options.files.length * 2, options.files.length * 2, "files");
  } finally {
    pool?.close();
    for (const c of closers) c();
  }

  const verdict = judge(data, meta, options.ignore);
  const dataReport = join(options.workDir, "data_report.json");
  const metadataReport = join(options.workDir, "metadata_report.json");
  writeJsonAtomic(dataReport, data);
  writeJsonAtomic(metadataReport, meta);
  return {
    dataReport,
    metadataReport,
    data,
    metadata: meta,
    summary: {
      outcome: verdict.outcome,
      status: verdict.status,
      filesCompared: data.compared.files,
      valuesCompared: data.compared.values,
      fatal: verdict.fatal,
      warnings: verdict.warnings,
      bypassed: verdict.bypassed,
    },
  };
}

/** The product's concatenated time coordinate, its units and calendar, and its bounds' own units (undefined: none). */
interface ProductTime {
  coord: VariableInfo;
  units: unknown;
  calendar: unknown;
  boundsUnits: unknown;
}

interface BoxResult {
  compared: number;
  diff: ReturnType<typeof compareText> | ReturnType<typeof compareValues>;
  /** Where the box starts in the product. */
  pStart: number[];
}

/** One box of a variable: the source's values (read by h5wasm or the netCDF3 reader) against the product's (zarrita). */
async function compareBox(v: VariableInfo, arr: ZArray, concatAxis: number, b: Box, info: FileInfo, source: ValidationSource, productTime: ProductTime | undefined): Promise<BoxResult> {
  const pStart = b.start.map((s, a) => (a === concatAxis ? s + b.at : s));
  const pStop = b.stop.map((s, a) => (a === concatAxis ? s + b.at : s));
  if (v.kind === "char" || v.kind === "string") {
    const src = await (v.shape.length === 0 ? source.text(v.path, [], []) : source.text(v.path, b.start, b.stop));
    return { compared: src.length, diff: compareText(await readProductText(arr, pStart, pStop), src), pStart };
  }
  const raw = await (v.shape.length === 0 ? source.box(v.path, [], []) : source.box(v.path, b.start, b.stop));
  const map = timeMap(info, v, productTime);
  // float32 times are re-encoded as float32, as the writers store them; integers as numbers.
  const src = !map ? raw : raw instanceof Float32Array ? raw.map(map) : reencodedForComparison(raw, map);
  return { compared: src.length, diff: compareValues((await readProduct(arr, pStart, pStop)) as ArrayLike<number>, src as ArrayLike<number>), pStart };
}

/**
 * The concatenated coordinate and its bounds, in a file whose time units differ from the
 * product's, are compared after re-encoding the source's values to the product's units: each
 * side's values as labelled by its own units (bounds without units of their own take the
 * coordinate's, as CF says), so a writer that shifted values under the wrong label is caught.
 */
function timeMap(info: FileInfo, v: VariableInfo, time: ProductTime | undefined): ((x: number) => number) | undefined {
  if (!time) return undefined;
  const bounds = time.coord.attributes["bounds"] ?? time.coord.attributes["climatology"];
  if (v.name !== time.coord.name && v.name !== bounds) return undefined;
  const coordUnits = info.variables.find((x) => x.name === time.coord.name)?.attributes["units"];
  const units = v.name === time.coord.name ? coordUnits : (info.variables.find((x) => x.name === v.name)?.attributes["units"] ?? coordUnits);
  const target = v.name === time.coord.name ? time.units : (time.boundsUnits ?? time.units);
  if (typeof units !== "string" || typeof target !== "string" || units === target) return undefined;
  return reencoder(units, target, time.calendar);
}

/** The first file's time coordinate as the reference for re-encoded units (the product keeps them). */
function firstTime(sources: ValidationSource[], concatDim: string): ProductTime | undefined {
  const coord = sources[0]?.info.variables.find((x) => x.isCoordinate && x.name === concatDim);
  return coord ? { coord, units: coord.attributes["units"], calendar: coord.attributes["calendar"], boundsUnits: undefined } : undefined;
}

/**
 * Whether keep_vars leaves the variable out: it is neither named there nor the coordinate of a
 * dimension of a named variable (those must be in the product; bounds and auxiliary coordinates
 * the product carries are compared like any other variable).
 */
function notAsked(v: VariableInfo, files: FileInfo[], keepVars: string[] | undefined): boolean {
  if (!keepVars || keepVars.length === 0) return false;
  if (keepVars.includes(v.name)) return false;
  const named = files.flatMap((f) => f.variables).filter((x) => keepVars.includes(x.name));
  return !(v.isCoordinate && named.some((x) => x.dimensions.includes(v.name)));
}

/** An enumeration's dictionary in the product against the source's (names and values; order aside). */
function sameDictionary(product: unknown, source: Record<string, number> | undefined): boolean {
  if (product === undefined || source === undefined) return product === source;
  if (product === null || typeof product !== "object" || Array.isArray(product)) return false;
  const p = product as Record<string, unknown>;
  const keys = Object.keys(source);
  return Object.keys(p).length === keys.length && keys.every((k) => p[k] === source[k]);
}

/** The set of variables a file holds, as one string (the key variableSets groups files by). */
function sameDtype(zdtype: string, v: VariableInfo): boolean {
  if (v.dtype === "|O") return zdtype === "v2:object";
  if (/^\|S\d+$/.test(v.dtype)) return zdtype === `v2:${v.dtype.slice(1)}`;
  const map: Record<string, string> = { "<f4": "float32", "<f8": "float64", "|i1": "int8", "|u1": "uint8", "<i2": "int16", "<u2": "uint16", "<i4": "int32", "<u4": "uint32", "<i8": "int64", "<u8": "uint64" };
  return map[v.dtype] === zdtype;
}

function guessConcatDim(infos: FileInfo[], productVars: Map<string, ZArray>): string | null {
  const first = infos[0] as FileInfo;
  for (const d of first.dimensions) {
    const total = infos.reduce((s, f) => s + (f.dimensions.find((x) => x.name === d.name)?.size ?? 0), 0);
    const coord = productVars.get(first.variables.find((v) => v.isCoordinate && v.name === d.name)?.path ?? "");
    if (infos.length > 1 && coord && coord.shape[0] === total && total !== d.size) return d.name;
  }
  return first.dimensions.find((d) => d.unlimited)?.name ?? null;
}

/** The files in order of their first value of the concatenated coordinate (read all at once). */
async function orderFiles(sources: ValidationSource[], concatDim: string | null): Promise<number[]> {
  const order = sources.map((_, i) => i);
  if (concatDim === null) return order;
  const firstValue = await Promise.all(
    sources.map(async (s) => {
      const v = s.info.variables.find((x) => x.isCoordinate && x.name === concatDim);
      if (!v || (v.shape[0] ?? 0) === 0) return 0;
      const raw = Number((await s.box(v.path, [0], [1]))[0]);
      const map = timeMap(s.info, v, firstTime(sources, concatDim));
      return map ? map(raw) : raw;
    }),
  );
  return order.sort((a, b) => (firstValue[a] ?? 0) - (firstValue[b] ?? 0));
}

function readRefs(path: string): KerchunkV1 {
  try {
    const doc = JSON.parse(readFileSync(path, "utf8")) as KerchunkV1;
    if (doc.version !== 1 || typeof doc.refs !== "object") throw new Error("not Kerchunk version 1 references");
    return doc;
  } catch (e) {
    throw new DroverError("ValidationError", `${path} is not readable Kerchunk JSON: ${(e as Error).message}`, { file: path });
  }
}

function refsArrays(keys: string[], first: FileInfo): string[] {
  const known = new Set(first.variables.map((v) => v.path.slice(1)));
  return keys
    .filter((k) => k.endsWith("/.zarray"))
    .map((k) => k.slice(0, -"/.zarray".length))
    .filter((n) => !known.has(n));
}

/** The `.zarray` and `.zgroup` keys of a Zarr store on disk ("model/w/.zarray", "model/.zgroup"). */
function zarrMetadataKeys(product: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      const name = `${prefix}${e.name}`;
      if (existsSync(join(dir, e.name, ".zarray"))) found.push(`${name}/.zarray`);
      else {
        if (existsSync(join(dir, e.name, ".zgroup"))) found.push(`${name}/.zgroup`);
        walk(join(dir, e.name), `${name}/`);
      }
    }
  };
  walk(product, "");
  return found;
}

/** The concatenated coordinate must increase strictly: files in the wrong order or overlapping fail. */
async function checkMonotonic(first: FileInfo, productVars: Map<string, ZArray>, concatDim: string, data: DataReport): Promise<void> {
  const v = first.variables.find((x) => x.isCoordinate && x.name === concatDim);
  const arr = v ? productVars.get(v.path) : undefined;
  if (!v || !arr || arr.shape.length !== 1) return;
  const values = (await readProduct(arr, [0], [arr.shape[0] ?? 0])) as ArrayLike<number>;
  for (let i = 1; i < values.length; i++) {
    if (!((values[i] as number) > (values[i - 1] as number))) {
      note(data.dimensions, "data_errors", concatDim, {
        type: "not_monotonic",
        at: i,
        zarr: [values[i - 1] ?? null, values[i] ?? null],
        info: `${concatDim} does not increase at index ${i}: files overlap or are out of order`,
      });
      return;
    }
  }
}
