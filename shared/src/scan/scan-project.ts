import { join } from "node:path";
import { statSync } from "node:fs";
import { count } from "../words.js";
import { DroverError, isDroverError } from "../errors.js";
import { SourcePool } from "../formats/byte-source.js";
import type { FileLayout } from "../formats/layout.js";
import { asSourceError, openChecked, readLayoutFrom } from "../formats/read-layout.js";
import { readFloat64 } from "../refs/values.js";
import { layoutToFileInfo } from "./layout-info.js";
import { writeJsonAtomic } from "../fsutil.js";
import { withNumbersTagged } from "../json/tagged-numbers.js";
import type { FileInfo, VariableInfo } from "../h5/describe.js";
import type { H5FilePool } from "../h5/pool.js";
import type { ProjectConfig, ScanSummary } from "../schemas.js";
import type { Inventory } from "./inventory.js";
import { planAggregation } from "./plan.js";

export type Progress = (done: number, total: number, unit: string, detail?: string) => void;

export interface ScanResult {
  inventoryPath: string;
  inventory: Inventory;
  summary: ScanSummary;
  /** The layouts read, by path, for an in-process compute to reuse (not persisted). */
  layouts: Map<string, FileLayout>;
}

export function inventoryPath(workDir: string): string {
  return join(workDir, "inventory.json");
}

export function summarise(inv: Inventory): ScanSummary {
  return {
    files: inv.files.length,
    bytes: inv.bytes,
    variables: inv.variables.map((v) => v.name),
    concatDim: inv.concatDim,
    identicalDims: inv.identicalDims,
    concatLength: inv.concatLength,
    chunks: inv.chunks,
    issues: inv.issues,
  };
}

/**
 * open → inspect → plan: opens every file of a project, records its inventory and plans the
 * aggregation. Writes `inventory.json` even when the files cannot be combined (so the reasons
 * can be read), then throws a ConcatFatalError naming the files and variables at fault.
 */
export async function scanProject(
  project: string,
  files: string[],
  config: ProjectConfig,
  workDir: string,
  progress: Progress = () => {},
): Promise<ScanResult> {
  // h5wasm (a quarter of a second to load) only for a file drover's readers cannot read.
  let fallback: { pool: H5FilePool; describeFile: typeof import("../h5/describe.js").describeFile; readAllAsFloat64: typeof import("../h5/read.js").readAllAsFloat64 } | undefined;
  const h5 = async () =>
    (fallback ??= {
      pool: await (await import("../h5/pool.js")).H5FilePool.create(),
      describeFile: (await import("../h5/describe.js")).describeFile,
      readAllAsFloat64: (await import("../h5/read.js")).readAllAsFloat64,
    });
  const sources = new SourcePool(64, openChecked);
  try {
    // Layouts come from drover's own readers (metadata only); h5wasm steps in for a file whose
    // HDF5 features those readers do not cover.
    const infos: FileInfo[] = [];
    const layouts: Array<FileLayout | undefined> = [];
    for (const [i, path] of files.entries()) {
      try {
        const layout = readLayoutFrom(sources.get(path));
        infos.push(layoutToFileInfo(layout, statSync(path).mtimeMs));
        layouts.push(layout);
      } catch (e) {
        if (!(isDroverError(e) && e.kind === "UnsupportedFeatureError")) throw e;
        const { pool, describeFile } = await h5();
        infos.push(await describeFile(pool.get(path), path));
        layouts.push(undefined);
      }
      progress(i + 1, files.length, "files", path);
    }
    const cache = new Map<string, Float64Array>();
    const values = (i: number, v: VariableInfo) => {
      const f = infos[i] as FileInfo;
      const key = `${i}\u0000${v.path}`;
      let hit = cache.get(key);
      if (!hit) {
        const layout = layouts[i];
        const lv = layout?.variables.find((x) => x.path === v.path);
        if (v.kind === "string") {
          // Variable-length strings are heap pointers, not values to order or compare (fixed-length chars are compared as bytes).
          throw new DroverError("ConcatFatalError", `${f.path}: variable ${v.name} holds variable-length strings, which drover cannot order files by or compare between them; concatenate along another dimension (concat_dim), or store it as fixed-length characters`, { file: f.path, variable: v.name });
        }
        if (layout && lv) hit = asSourceError(f.path, () => readFloat64(sources.get(f.path), lv));
        else if (fallback) hit = fallback.readAllAsFloat64(fallback.pool.get(f.path), f.path, v.path);
        else throw new Error(`internal: no layout and no HDF5 library for ${f.path}`);
        cache.set(key, hit);
      }
      return hit;
    };
    const storedChunks = (i: number) =>
      (layouts[i]?.variables ?? []).reduce((n, v) => n + (v.storage.kind === "chunked" ? v.storage.chunks.length : v.storage.kind === "records" ? v.storage.count : 1), 0);
    const inventory = planAggregation({ project, files: infos, config, values, storedChunks });
    const path = inventoryPath(workDir);
    writeJsonAtomic(path, withNumbersTagged(inventory)); // NaN attributes stay NaN (read back with untagNumbers)
    const fatal = inventory.issues.filter((i) => i.severity === "fatal");
    if (fatal.length > 0) {
      const first = fatal[0];
      throw new DroverError(
        "ConcatFatalError",
        `${count(fatal.length, "problem")} stop these files from being combined: ` +
          fatal.slice(0, 5).map((i) => i.message).join("; ") +
          (fatal.length > 5 ? `; … (${fatal.length - 5} more in ${path})` : ""),
        { ...(first?.file ? { file: first.file } : {}), ...(first?.variable ? { variable: first.variable } : {}), reports: { inventory: path } },
      );
    }
    const byPath = new Map<string, FileLayout>();
    layouts.forEach((l, i) => {
      if (l) byPath.set(files[i] as string, l);
    });
    return { inventoryPath: path, inventory, summary: summarise(inventory), layouts: byPath };
  } finally {
    fallback?.pool.close();
    sources.close();
  }
}
