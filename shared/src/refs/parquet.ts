import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attributesJson } from "../compute/zarr-metadata.js";
import { DroverError } from "../errors.js";
import { replaceDir, tempPathFor } from "../fsutil.js";
import { parsePythonJson } from "../json/python-json-parse.js";
import { plainJson, pythonJson } from "../json/python-json.js";
import type { RefsDataset } from "./serialise.js";
import { createRefsStore, type RefsStore } from "./store.js";
import type { KerchunkV1, Ref } from "./types.js";

// Kerchunk's Parquet layout (fsspec's LazyReferenceMapper), for reference sets too large for one
// JSON document: `<dir>/.zmetadata` holds {"metadata": {key: metadata document}, "record_size"},
// and each variable's chunks are rows of `<dir>/<variable>/refs.<n>.parq`, in row-major order of
// the chunk grid, `record_size` rows a file, with columns path, offset, size and raw (inline
// bytes). A row with neither path nor raw is a missing chunk; offset = size = 0 means a whole file.

export const RECORD_SIZE = 100_000;
/** PADOCC's estimate of one JSON reference, in bytes. */
export const BYTES_PER_REFERENCE = 167;

function grid(shape: number[], chunks: number[]): number[] {
  const g = shape.map((s, a) => Math.ceil(s / (chunks[a] ?? 1)));
  return g.length === 0 ? [1] : g;
}

function keyOf(flat: number, g: number[], scalar: boolean): string {
  if (scalar) return "0";
  const idx = new Array<number>(g.length);
  for (let a = g.length - 1; a >= 0; a--) {
    const n = g[a] ?? 1;
    idx[a] = flat % n;
    flat = Math.floor(flat / n);
  }
  return idx.join(".");
}

function metadataText(d: RefsDataset, recordSize: number): string {
  const group = pythonJson({ zarr_format: 2 });
  const entries: string[] = [`".zgroup": ${group}`, `".zattrs": ${attributesJson(d.attributes, d.floatAttributes).trim()}`];
  for (const g of d.groups) {
    entries.push(`${pythonJson(`${g.name}/.zgroup`)}: ${group}`);
    entries.push(`${pythonJson(`${g.name}/.zattrs`)}: ${attributesJson(g.attributes, g.floatAttributes).trim()}`);
  }
  for (const v of d.variables) {
    entries.push(`${pythonJson(`${v.name}/.zarray`)}: ${pythonJson(v.zarray)}`);
    entries.push(`${pythonJson(`${v.name}/.zattrs`)}: ${attributesJson({ ...v.attributes, _ARRAY_DIMENSIONS: v.dimensions }, v.floatAttributes).trim()}`);
  }
  return `{"metadata": {\n${entries.join(",\n")}\n}, "record_size": ${recordSize}}\n`;
}

/** Writes the reference set as a Parquet directory, under a temporary name renamed into place. */
export async function writeParquetRefs(d: RefsDataset, dir: string, recordSize = RECORD_SIZE): Promise<{ files: number; bytes: number }> {
  // The Parquet libraries load only when Parquet is written or read (most products are JSON).
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const tmp = tempPathFor(dir);
  let files = 0;
  let bytes = 0;
  try {
    mkdirSync(tmp, { recursive: true });
    const meta = metadataText(d, recordSize);
    writeFileSync(join(tmp, ".zmetadata"), meta);
    bytes += Buffer.byteLength(meta);
    for (const v of d.variables) {
      const g = grid(v.zarray.shape, v.zarray.chunks);
      const total = g.reduce((a, b) => a * b, 1);
      if (v.zarray.shape.some((s) => s === 0)) continue;
      mkdirSync(join(tmp, v.name), { recursive: true });
      for (let r = 0; r * recordSize < total; r++) {
        const n = Math.min(recordSize, total - r * recordSize);
        const path: Array<string | null> = new Array<string | null>(n);
        const offset = new BigInt64Array(n);
        const size = new BigInt64Array(n);
        const raw: Array<Uint8Array | null> = new Array<Uint8Array | null>(n);
        for (let i = 0; i < n; i++) {
          const ref: Ref | undefined = v.chunks[keyOf(r * recordSize + i, g, v.zarray.shape.length === 0)];
          path[i] = null;
          raw[i] = null;
          if (typeof ref === "string") raw[i] = ref.startsWith("base64:") ? new Uint8Array(Buffer.from(ref.slice(7), "base64")) : new TextEncoder().encode(ref);
          else if (ref !== undefined) {
            path[i] = ref[0];
            offset[i] = BigInt(ref[1] ?? 0);
            size[i] = BigInt(ref[2] ?? 0);
          }
        }
        const buf = parquetWriteBuffer({
          columnData: [
            { name: "path", data: path, type: "STRING", nullable: true },
            { name: "offset", data: offset, type: "INT64", nullable: false },
            { name: "size", data: size, type: "INT64", nullable: false },
            { name: "raw", data: raw, type: "BYTE_ARRAY", nullable: true },
          ],
        });
        writeFileSync(join(tmp, v.name, `refs.${r}.parq`), new Uint8Array(buf));
        files++;
        bytes += buf.byteLength;
      }
    }
    replaceDir(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { files, bytes };
}

interface Row {
  path: string | null;
  offset: bigint | number;
  size: bigint | number;
  raw: Uint8Array | null;
}

/** A read-only store over a Parquet reference directory (metadata from .zmetadata, chunks from the record files). */
export async function openParquetRefs(dir: string): Promise<RefsStore> {
  let zmeta: { metadata: Record<string, unknown>; record_size: number };
  try {
    // Read as Python's json reads it (NaN tokens), and handed on re-serialised the way fsspec's
    // LazyReferenceMapper does (json.dumps of each entry), floats kept floats.
    zmeta = parsePythonJson(readFileSync(join(dir, ".zmetadata"), "utf8")) as unknown as typeof zmeta;
  } catch (e) {
    throw new DroverError("ValidationError", `${dir} is not a Parquet reference set: ${(e as Error).message}`, { file: dir });
  }
  const records = new Map<string, Row[]>();
  const ranges: KerchunkV1 = { version: 1, refs: {} };
  const files = createRefsStore(ranges);
  const enc = new TextEncoder();
  return {
    async get(key: string) {
      const k = key.startsWith("/") ? key.slice(1) : key;
      const m = zmeta.metadata[k];
      if (m !== undefined) return enc.encode(pythonJson(m));
      const slash = k.lastIndexOf("/");
      if (slash < 0) return undefined;
      const field = k.slice(0, slash);
      const zarray = plainJson(zmeta.metadata[`${field}/.zarray`]) as { shape: number[]; chunks: number[] } | undefined;
      if (!zarray) return undefined;
      const g = grid(zarray.shape, zarray.chunks);
      const idx = k.slice(slash + 1).split(".").map(Number);
      const flat = zarray.shape.length === 0 ? 0 : idx.reduce((f, i, a) => f * (g[a] ?? 1) + i, 0);
      const record = Math.floor(flat / zmeta.record_size);
      const file = join(dir, field, `refs.${record}.parq`);
      let rows = records.get(file);
      if (!rows) {
        const b = readFileSync(file);
        const { parquetReadObjects } = await import("hyparquet");
        rows = (await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), utf8: false })) as unknown as Row[];
        records.set(file, rows);
      }
      const row = rows[flat % zmeta.record_size];
      if (!row) return undefined;
      if (row.raw) return row.raw;
      if (row.path === null) return undefined;
      const [o, s] = [Number(row.offset), Number(row.size)];
      ranges.refs[k] = o === 0 && s === 0 ? [row.path] : [row.path, o, s];
      return files.get(k);
    },
    close() {
      files.close();
    },
  };
}
