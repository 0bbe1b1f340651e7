import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm/node";

// A reader of drover's Parquet references that shares no code with hyparquet / hyparquet-writer
// (which write them and which drover's own validator reads them with): parquet-wasm, Arrow's Rust
// Parquet reader (arrow-rs) compiled to WebAssembly, hands back Arrow IPC, turned into rows by
// apache-arrow. Debian has no pyarrow, so this is the tests' second opinion on the bytes.

/** One reference row as fsspec's LazyReferenceMapper sees it: inline bytes, a missing chunk, or [path, offset, size]. */
export type ParquetRefRow = string | null | [string, number, number];

/** Offsets and sizes are Int64 in the file; Arrow gives them as bigint (or number, if ever narrowed). */
function toNumber(v: unknown, column: string, row: number): number {
  if (typeof v === "bigint" || typeof v === "number") return Number(v);
  throw new Error(`parquet-wasm: row ${row} has ${column} = ${String(v)}, not an integer`);
}

/**
 * The rows of one `refs.<n>.parq` file, in file order: `"base64:<raw>"` where raw is set, `null`
 * where neither path nor raw is, else `[path, offset, size]`.
 */
export function readParquetRefRows(bytes: Uint8Array): ParquetRefRow[] {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  const column = (name: string) => {
    const c = table.getChild(name);
    if (!c) throw new Error(`parquet-wasm: no column ${name} (columns: ${table.schema.fields.map((f) => f.name).join(", ")})`);
    return c;
  };
  const path = column("path");
  const offset = column("offset");
  const size = column("size");
  const raw = column("raw");
  const rows: ParquetRefRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const r: unknown = raw.get(i);
    const p: unknown = path.get(i);
    if (r !== null && r !== undefined) {
      if (!(r instanceof Uint8Array)) throw new Error(`parquet-wasm: row ${i} has raw of type ${typeof r}, not bytes`);
      rows.push(`base64:${Buffer.from(r).toString("base64")}`);
    } else if (p === null || p === undefined) {
      rows.push(null);
    } else {
      const text = p instanceof Uint8Array ? new TextDecoder().decode(p) : p;
      if (typeof text !== "string") throw new Error(`parquet-wasm: row ${i} has path of type ${typeof p}, not text`);
      rows.push([text, toNumber(offset.get(i), "offset", i), toNumber(size.get(i), "size", i)]);
    }
  }
  return rows;
}
