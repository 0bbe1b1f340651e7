import { statSync } from "node:fs";
import { join } from "node:path";
import { DroverError } from "../errors.js";
import { SourcePool } from "../formats/byte-source.js";
import type { FileLayout } from "../formats/layout.js";
import { asSourceError, openChecked, readLayoutFrom } from "../formats/read-layout.js";
import { writeFileAtomic } from "../fsutil.js";
import type { Inventory } from "../scan/inventory.js";
import type { Progress } from "../scan/scan-project.js";
import type { ComputeSummary } from "../schemas.js";
import { cacheKey, readCached, writeCached } from "./cache.js";
import { fileReencoders } from "./cf-time.js";
import { combineRefs, type CombineFile } from "./combine.js";
import { BYTES_PER_REFERENCE, writeParquetRefs } from "./parquet.js";
import { kerchunkJson, toKerchunk, type RefsDataset } from "./serialise.js";
import { fileRefs } from "./single.js";
import type { FileRefs, KerchunkV1 } from "./types.js";
import { fileUrl, remoteRemainder } from "./urls.js";

export const REFS_REVISION = "k1.0";

export interface RefsOptions {
  /** Chunks stored in fewer bytes are inlined as base64. Default 500. */
  inlineThreshold?: number;
  /** Write Parquet instead of JSON when the estimated JSON (167 bytes a chunk, as PADOCC) exceeds this. Default 500 MB. */
  parquetAbove?: number;
  /** Concatenated variables that references cannot split (chunks straddling files) are decoded and inlined up to this many bytes. Default 256 KiB. */
  inlineLimit?: number;
}

export function refsProductPath(workDir: string, parquet = false): string {
  return join(workDir, `${REFS_REVISION}a.${parquet ? "parq" : "json"}`);
}

export interface RefsResult {
  product: string;
  summary: ComputeSummary;
  doc: KerchunkV1;
  /** Bytes read from the source files to build the references (cache misses only). */
  bytesRead: number;
  cached: number;
}

/** The per-file references of one source, from the cache or freshly read. */
export function referencesOf(
  path: string,
  expected: { size: number; mtimeMs: number },
  sources: SourcePool,
  options: { cacheDir: string | undefined; inlineThreshold: number; layout?: FileLayout | undefined },
): { layout: FileLayout; refs: FileRefs; bytesRead: number; cached: boolean } {
  const st = statSync(path);
  if (st.size !== expected.size || st.mtimeMs !== expected.mtimeMs) {
    throw new DroverError("SourceFormatError", `${path} changed since the scan (size or modification time); scan the project again`, { file: path });
  }
  const key = options.cacheDir ? cacheKey(path, st.size, st.mtimeMs, options.inlineThreshold) : undefined;
  const hit = options.cacheDir && key ? readCached(options.cacheDir, key) : undefined;
  if (hit) return { ...hit, bytesRead: 0, cached: true };
  const src = sources.get(path);
  const before = src.bytesRead;
  const layout = options.layout ?? readLayoutFrom(src);
  const refs = asSourceError(path, () => fileRefs(src, layout, { inlineThreshold: options.inlineThreshold }));
  if (options.cacheDir && key) writeCached(options.cacheDir, key, layout, refs);
  return { layout, refs, bytesRead: src.bytesRead - before, cached: false };
}

/** References for the whole project, combined along the concatenation dimension: the Kerchunk document and its structure. */
export function buildReferences(
  inv: Inventory,
  cacheDir: string | undefined,
  options: RefsOptions = {},
  progress: Progress = () => {},
  layouts?: Map<string, FileLayout>,
): { doc: KerchunkV1; dataset: RefsDataset; bytesRead: number; cached: number } {
  const inlineThreshold = options.inlineThreshold ?? 500;
  let bytesRead = 0;
  let cached = 0;
  const sources = new SourcePool(64, openChecked);
  try {
    const files: CombineFile[] = inv.files.map((f, i) => {
      const r = referencesOf(f.path, f, sources, { cacheDir, inlineThreshold, layout: layouts?.get(f.path) });
      bytesRead += r.bytesRead;
      if (r.cached) cached++;
      progress(i + 1, inv.files.length, "files", f.path);
      return { refs: r.refs, layout: r.layout, open: () => sources.get(f.path) };
    });
    const maps = fileReencoders(inv);
    // One combination per variable set (all files when every file holds the same variables),
    // each variable from the files of its own set, merged in the plan's order.
    const sets = [...new Set(inv.files.map((f) => f.variableSet ?? 0))];
    const combined = new Map<string, RefsDataset["variables"][number]>();
    let dataset: RefsDataset | undefined;
    for (const set of sets) {
      const members = inv.files.flatMap((f, i) => ((f.variableSet ?? 0) === set ? [i] : []));
      const part = combineRefs(
        members.map((i) => files[i] as CombineFile),
        {
          concatDim: inv.concatDim,
          attributes: inv.attributes,
          floatAttributes: inv.floatAttributes,
          groups: inv.groups,
          variables: inv.variables.filter((v) => (v.variableSet ?? 0) === set).map((v) => v.name),
          reencode: Object.fromEntries(inv.reencoded.map((name) => [name, members.map((i) => maps[i])])),
          inlineLimit: options.inlineLimit ?? 256 * 1024,
        },
      );
      for (const v of part.variables) combined.set(v.name, v);
      dataset ??= part;
    }
    if (!dataset) throw new Error("buildReferences needs at least one file");
    dataset = { ...dataset, variables: inv.variables.flatMap((v) => combined.get(v.name) ?? []) };
    return { doc: toKerchunk(dataset), dataset, bytesRead, cached };
  } finally {
    sources.close();
  }
}

/** Rewrites every reference whose URL starts with `from` (PADOCC's remote copy for publication). */
export function rewriteUrls(doc: KerchunkV1, from: string, to: string): KerchunkV1 {
  const prefix = from.startsWith("/") ? fileUrl(from) : from;
  const refs: KerchunkV1["refs"] = {};
  for (const [k, r] of Object.entries(doc.refs)) {
    refs[k] = Array.isArray(r) && typeof r[0] === "string" && r[0].startsWith(prefix) ? ([to + remoteRemainder(r[0].slice(prefix.length), to), ...r.slice(1)] as typeof r) : r;
  }
  return { version: 1, refs };
}

export async function writeRefsProduct(inv: Inventory, workDir: string, options: RefsOptions = {}, progress: Progress = () => {}): Promise<RefsResult> {
  const t0 = performance.now();
  const { doc, dataset, bytesRead, cached } = buildReferences(inv, join(workDir, "cache"), options, progress);
  const chunks = Object.keys(doc.refs).filter((k) => !k.split("/").pop()?.startsWith(".")).length;
  const parquet = inv.chunks * BYTES_PER_REFERENCE > (options.parquetAbove ?? 500e6);
  const product = refsProductPath(workDir, parquet);
  let bytesWritten: number;
  if (parquet) bytesWritten = (await writeParquetRefs(dataset, product)).bytes;
  else {
    const text = kerchunkJson(doc);
    writeFileAtomic(product, text);
    bytesWritten = Buffer.byteLength(text);
  }
  return {
    product,
    doc,
    bytesRead,
    cached,
    summary: {
      format: "kerchunk",
      revision: REFS_REVISION,
      variables: inv.variables.length,
      chunksWritten: chunks,
      bytesWritten,
      seconds: (performance.now() - t0) / 1000,
      ...(parquet ? { note: `Parquet references: about ${inv.chunks} chunks would make JSON of ~${Math.round((inv.chunks * BYTES_PER_REFERENCE) / 1e6)} MB` } : {}),
    },
  };
}
