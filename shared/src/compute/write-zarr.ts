import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import FileSystemStore from "@zarrita/storage/fs";
import * as zarr from "zarrita";
import { DroverError, isDroverError } from "../errors.js";
import { replaceDir, writeFileAtomic } from "../fsutil.js";
import { H5FilePool } from "../h5/pool.js";
import { LruPool } from "../lru.js";
import { readerPool, type SourceReader } from "../sources.js";
import type { Inventory, ProductVariable } from "../scan/inventory.js";
import type { Progress } from "../scan/scan-project.js";
import type { ComputeSummary } from "../schemas.js";
import { fileReencoders, reencodeValues } from "../refs/cf-time.js";
import { registerEncoders } from "./codecs.js";
import { chunkCount, chunkTasks, copyInto, stridesOf } from "./copy-plan.js";
import { allocate } from "./typed.js";
import { productMetadata, ZARR_COMPRESSION_LEVEL } from "./zarr-metadata.js";
import { writeTextVariable, type TextSource } from "./write-text.js";
import { isTextDtype } from "../strings/kinds.js";
import { openChecked, readLayoutFrom } from "../formats/read-layout.js";

export const ZARR_REVISION = "z1.0";

/** Sources kept open at a time while copying. */
const OPEN_SOURCES = 16;

export function zarrProductPath(workDir: string): string {
  return join(workDir, `${ZARR_REVISION}a.zarr`);
}

/**
 * combine → write: copies every variable of the plan into a Zarr v2 store, chunk by chunk (one
 * chunk in memory at a time), under a temporary name renamed into place when complete.
 */
export async function writeZarrProduct(
  inv: Inventory,
  workDir: string,
  progress: Progress = () => {},
): Promise<{ product: string; summary: ComputeSummary }> {
  registerEncoders();
  const t0 = performance.now();
  const product = zarrProductPath(workDir);
  const tmp = join(workDir, `.${ZARR_REVISION}a.zarr.tmp-${randomUUID().slice(0, 8)}`);
  mkdirSync(tmp, { recursive: true });
  const pool = await H5FilePool.create();
  // A few sources open at a time, reopened on need: a reader of a netCDF-3 file or of text holds
  // a file descriptor, and one kept per source ran out of them (EMFILE) past ~1,000 files.
  const readers = readerPool(pool, OPEN_SOURCES);
  const sources = async (path: string): Promise<Pick<SourceReader, "box">> => readers.get(path);
  const text = new LruPool<TextSource>(OPEN_SOURCES, (path) => {
    const source = openChecked(path);
    try {
      return { source, layout: readLayoutFrom(source) };
    } catch (e) {
      source.close();
      throw e;
    }
  }, (t) => t.source.close());
  let chunksWritten = 0;
  try {
    for (const [key, text] of productMetadata(inv)) writeFileAtomic(join(tmp, key), text);
    const store = new FileSystemStore(tmp);
    const root = zarr.root(store);
    const total = inv.variables.reduce((n, v) => n + chunkCount(v), 0);
    const openText = (path: string): TextSource => text.get(path);
    for (const v of inv.variables) {
      if (isTextDtype(v.dtype)) {
        chunksWritten += writeTextVariable(inv, v, tmp, openText, ZARR_COMPRESSION_LEVEL);
        progress(chunksWritten, total, "chunks", v.name);
        continue;
      }
      // Attributes are not needed to write chunks (and JSON.parse cannot read their NaN tokens).
      const arr = await zarr.open.v2(root.resolve(v.name), { kind: "array", attrs: false });
      chunksWritten += await copyVariable(inv, v, arr, sources, (n) => {
        progress(chunksWritten + n, total, "chunks", v.name);
      });
    }
    replaceDir(tmp, product);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (isDroverError(e)) throw e;
    throw new DroverError("ComputeError", `writing the Zarr product failed: ${(e as Error).message}`, { cause: e });
  } finally {
    readers.close();
    text.close();
    pool.close();
  }
  return {
    product,
    summary: {
      format: "zarr",
      revision: ZARR_REVISION,
      variables: inv.variables.length,
      chunksWritten,
      bytesWritten: 0,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

async function copyVariable(
  inv: Inventory,
  v: ProductVariable,
  arr: zarr.Array<zarr.DataType, FileSystemStore>,
  sources: (path: string) => Promise<Pick<SourceReader, "box">>,
  done: (n: number) => void,
): Promise<number> {
  if (v.shape.length === 0) {
    const f = inv.files.find((x) => (x.variableSet ?? 0) === (v.variableSet ?? 0));
    if (!f) return 0;
    const value = (await sources(f.path)).box(v.sourcePath, [], []);
    await zarr.set(arr as zarr.Array<zarr.DataType, FileSystemStore>, null, value[0] as never);
    done(1);
    return 1;
  }
  // Files whose time units differ from the product's: their time values are re-encoded.
  const maps = inv.reencoded.includes(v.name) ? fileReencoders(inv) : [];
  let n = 0;
  for (const task of chunkTasks(v, inv.files, inv.concatDim)) {
    const shape = task.stop.map((e, a) => e - (task.start[a] ?? 0));
    const buffer = allocate(v.dtype, shape.reduce((p, x) => p * x, 1));
    for (const piece of task.pieces) {
      const f = inv.files[piece.file];
      if (!f) continue;
      const raw = (await sources(f.path)).box(v.sourcePath, piece.start, piece.stop);
      const map = maps[piece.file];
      const data = map ? reencodeValues(raw, map, v.name, f.path) : raw;
      const pieceShape = piece.stop.map((e, a) => e - (piece.start[a] ?? 0));
      if (data.length !== pieceShape.reduce((p, x) => p * x, 1)) {
        throw new DroverError(
          "SourceFormatError",
          `${f.path}: reading ${v.sourcePath}[${piece.start.map((s, a) => `${s}:${piece.stop[a]}`).join(",")}] gave ${data.length} values, expected ${pieceShape.reduce((p, x) => p * x, 1)}`,
          { file: f.path, variable: v.name },
        );
      }
      copyInto(buffer, shape, piece.offset, data, pieceShape);
    }
    const selection = task.start.map((s, a) => zarr.slice(s, task.stop[a] ?? s));
    await zarr.set(arr as zarr.Array<zarr.DataType, FileSystemStore>, selection, {
      data: buffer,
      shape,
      stride: stridesOf(shape),
    } as never);
    n++;
    done(n);
  }
  return n;
}
