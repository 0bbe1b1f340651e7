import FileSystemStore from "@zarrita/storage/fs";
import h5wasm from "h5wasm/node";
import * as zarr from "zarrita";
import { readFileSync } from "node:fs";
import { registerEncoders } from "../../shared/src/compute/codecs.js";
import { createRefsStore } from "../../shared/src/refs/store.js";
import { openParquetRefs } from "../../shared/src/refs/parquet.js";

// An independent check of a product against its sources, for tests: every variable read in
// full from every file with h5wasm, concatenated along `concatDim`, compared value by value
// with the whole array read back with zarrita (from a Zarr store, or through references).

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

export async function compareZarrWithSources(product: string, files: string[], concatDim: string): Promise<{ variables: number; values: number }> {
  await h5wasm.ready;
  registerEncoders();
  const sources = files.map((f) => new h5wasm.File(f, "r"));
  const refs = product.endsWith(".json") ? createRefsStore(JSON.parse(readFileSync(product, "utf8"))) : product.endsWith(".parq") ? await openParquetRefs(product) : undefined;
  try {
    const root = zarr.root(refs ?? new FileSystemStore(product));
    const first = sources[0]!;
    let values = 0;
    let variables = 0;
    for (const name of first.keys()) {
      const ds = first.get(name) as InstanceType<typeof h5wasm.Dataset>;
      const cls = ds.attrs["CLASS"]?.json_value;
      const nm = ds.attrs["NAME"]?.json_value;
      if (cls === "DIMENSION_SCALE" && typeof nm === "string" && nm.startsWith("This is a netCDF dimension")) continue;
      const arr = await zarr.open.v2(root.resolve(name), { kind: "array" });
      const dims = (arr.attrs as { _ARRAY_DIMENSIONS?: string[] })._ARRAY_DIMENSIONS ?? [];
      const axis = dims.indexOf(concatDim);
      const got = ds.shape?.length === 0 ? await zarr.get(arr, null) : await zarr.get(arr);
      const gotData = (typeof got === "object" && got !== null && "data" in got ? got.data : [got]) as Numeric;
      // Expected: concatenation along `axis` (only the first axis is supported by this helper).
      if (axis > 0) throw new Error(`test helper handles concatenation along the first axis only (${name})`);
      const valueOf = (d: InstanceType<typeof h5wasm.Dataset>): Numeric => {
        const v = d.value;
        return (typeof v === "number" || typeof v === "bigint" ? [v] : v) as Numeric;
      };
      const parts = axis === 0 ? sources.map((f) => valueOf(f.get(name) as InstanceType<typeof h5wasm.Dataset>)) : [valueOf(ds)];
      const expected: Array<number | bigint> = [];
      for (const p of parts) for (let i = 0; i < p.length; i++) expected.push(p[i] as number);
      if (expected.length !== gotData.length) throw new Error(`${name}: product has ${gotData.length} values, sources ${expected.length}`);
      for (let i = 0; i < expected.length; i++) {
        const a = gotData[i];
        const b = expected[i];
        if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) throw new Error(`${name}: value ${i} is ${String(a)} in the product, ${String(b)} in the sources`);
      }
      values += expected.length;
      variables++;
    }
    return { variables, values };
  } finally {
    for (const s of sources) s.close();
    refs?.close();
  }
}
