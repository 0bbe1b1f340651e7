import type { ProjectDoc } from "@drover/shared";
import { count } from "@drover/shared";
import { bytes } from "./units.js";

// PADOCC's summarise: a group's size in projects, source files and bytes, the formats of its
// products, their sizes and chunk counts, added up from what the documents already record (the
// scan's and the compute's summaries), a page of projects at a time.

export interface GroupSummary {
  group: string;
  projects: number;
  /** Projects whose scan recorded its summary (source bytes and chunks come from those). */
  scanned: number;
  sourceFiles: number;
  sourceBytes: number;
  sourceChunks: number;
  /** Projects with a product, by format: "kerchunk json", "kerchunk parquet", "zarr". */
  formats: Record<string, number>;
  productBytes: number;
  chunksWritten: number;
  largestProduct?: { project: string; bytes: number } | undefined;
}

export function emptySummary(group: string): GroupSummary {
  return { group, projects: 0, scanned: 0, sourceFiles: 0, sourceBytes: 0, sourceChunks: 0, formats: {}, productBytes: 0, chunksWritten: 0 };
}

/** The product's format from its path and the compute's summary. */
export function productFormat(p: Pick<ProjectDoc, "outputs" | "compute">): string | undefined {
  const path = p.outputs.completedProduct ?? p.outputs.product;
  if (path?.endsWith(".parq")) return "kerchunk parquet";
  if (path?.endsWith(".json")) return "kerchunk json";
  if (path?.endsWith(".zarr")) return "zarr";
  return p.compute ? (p.compute.format === "zarr" ? "zarr" : "kerchunk json") : undefined;
}

export function addProject(s: GroupSummary, p: Pick<ProjectDoc, "code" | "files" | "scan" | "compute" | "outputs">): void {
  s.projects++;
  s.sourceFiles += p.scan?.files ?? p.files.length;
  if (p.scan) {
    s.scanned++;
    s.sourceBytes += p.scan.bytes;
    s.sourceChunks += p.scan.chunks;
  }
  const format = productFormat(p);
  if (format && p.compute) {
    s.formats[format] = (s.formats[format] ?? 0) + 1;
    s.productBytes += p.compute.bytesWritten;
    s.chunksWritten += p.compute.chunksWritten;
    if (!s.largestProduct || p.compute.bytesWritten > s.largestProduct.bytes) s.largestProduct = { project: p.code, bytes: p.compute.bytesWritten };
  }
}

/** The sum of several groups' summaries, named `name`. */
export function totalOf(name: string, list: GroupSummary[]): GroupSummary {
  const t = emptySummary(name);
  for (const s of list) {
    for (const k of ["projects", "scanned", "sourceFiles", "sourceBytes", "sourceChunks", "productBytes", "chunksWritten"] as const) t[k] += s[k];
    for (const [f, n] of Object.entries(s.formats)) t.formats[f] = (t.formats[f] ?? 0) + n;
    if (s.largestProduct && (!t.largestProduct || s.largestProduct.bytes > t.largestProduct.bytes)) t.largestProduct = { project: `${s.group}/${s.largestProduct.project}`, bytes: s.largestProduct.bytes };
  }
  return t;
}

export function formatSummary(s: GroupSummary): string[] {
  const formats = Object.entries(s.formats).map(([f, n]) => `${f} ${n}`);
  const withProduct = Object.values(s.formats).reduce((a, b) => a + b, 0);
  const unscanned = s.projects - s.scanned;
  return [
    `${s.group}: ${count(s.projects, "project")}`,
    `  source files:  ${count(s.sourceFiles, "file")}, ${bytes(s.sourceBytes)}, ${count(s.sourceChunks, "chunk")}${unscanned > 0 ? ` (bytes and chunks of ${s.scanned} scanned projects; ${unscanned} not scanned yet)` : ""}`,
    `  products:      ${withProduct > 0 ? `${formats.join(", ")}; ${bytes(s.productBytes)}, ${count(s.chunksWritten, "chunk")} written` : "none yet"}`,
    ...(s.largestProduct ? [`  largest:       ${s.largestProduct.project} (${bytes(s.largestProduct.bytes)})`] : []),
  ];
}
