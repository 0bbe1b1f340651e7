import { readdirSync } from "node:fs";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import * as zarr from "zarrita";
import { describe, expect, it } from "vitest";
import { registerEncoders } from "../../../shared/src/compute/codecs.js";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import { readLayoutFrom } from "../../../shared/src/formats/read-layout.js";
import { toKerchunk } from "../../../shared/src/refs/serialise.js";
import { createRefsStore } from "../../../shared/src/refs/store.js";
import { variableRefs } from "../../../shared/src/refs/single.js";
import { ROOT } from "../../helpers/processes.js";

// Every numeric variable of every HDF5 fixture (netCDF-C, h5py default and libver=latest, h5wasm
// files) read back through drover's references with zarrita equals what the HDF5 library reads.

const dir = join(ROOT, "test", "fixtures", "hdf5");
const fixtures = readdirSync(dir).filter((f) => /\.(nc|h5)$/.test(f) && !f.startsWith("broken"));

type Num = ArrayLike<number | bigint>;

function same(a: Num, b: Num): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

describe("references to HDF5 fixtures read back what the HDF5 library reads", () => {
  registerEncoders();
  it.each(fixtures)("%s", async (fixture) => {
    await h5wasm.ready;
    const path = join(dir, fixture);
    const src = openFileSource(path);
    let layout;
    try {
      layout = readLayoutFrom(src);
    } catch (e) {
      // Fixtures of features the reader refuses by name (virtual datasets, shared messages…).
      expect((e as Error).message).toMatch(/not supported|unsupported|cannot/i);
      src.close();
      return;
    }
    const h5 = new h5wasm.File(path, "r");
    let compared = 0;
    try {
      for (const v of layout.variables) {
        if (!["int", "uint", "float"].includes(v.dtype.kind) || v.shape.some((d) => d === 0)) continue;
        const refs = variableRefs(src, v, `file://${path}`, { inlineThreshold: 0 });
        const doc = toKerchunk({ attributes: {}, floatAttributes: [], groups: layout.groups.map((g) => ({ name: g.path.slice(1), attributes: g.attributes, floatAttributes: g.floatAttributes ?? [] })), variables: [refs] });
        const store = createRefsStore(doc);
        try {
          const arr = await zarr.open.v2(zarr.root(store).resolve(refs.name), { kind: "array" });
          const got = v.shape.length === 0 ? await zarr.get(arr, null) : await zarr.get(arr);
          const gotData = (typeof got === "object" && got !== null && "data" in got ? got.data : [got]) as Num;
          const ds = h5.get(v.path) as InstanceType<typeof h5wasm.Dataset>;
          const want = ds.value;
          const wantData = (typeof want === "number" || typeof want === "bigint" ? [want] : want) as Num;
          expect(same(gotData, wantData), `${fixture} ${v.path}`).toBe(true);
          compared++;
        } finally {
          store.close();
        }
      }
    } finally {
      h5.close();
      src.close();
    }
    const numeric = layout.variables.filter((v) => ["int", "uint", "float"].includes(v.dtype.kind) && !v.shape.some((d) => d === 0));
    expect(compared, `${fixture}: variables compared`).toBe(numeric.length);
  });
});
