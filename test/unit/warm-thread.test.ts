import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanProject, writeZarrProduct, type TaskInputs, type TaskOutputs } from "@drover/shared";
import { TaskError } from "../../shared/src/tasks/task-error.js";
import { TaskPool } from "../../shared/src/tasks/task-pool.js";
import { ncgen, ncgenAvailable } from "../helpers/ncgen.js";
import { POOL_THREAD } from "../helpers/pool.js";

// A task thread outlives its tasks: nothing a task reads may be remembered into the next one.
// A source rewritten between two tasks, with the same size and modification time (what a cache
// keyed on them cannot tell apart), must be read afresh; no file may stay open after a task.
// The thread runs the compiled code (shared/dist): build first (npm test does).

type In = TaskInputs & { whoami: { ms?: number } };
type Out = TaskOutputs & { whoami: { threadId: number; hdf5: boolean } };

const cdl = (units: string, first: number) => `netcdf tiny {
dimensions:
  time = UNLIMITED ; lat = 3 ; lon = 4 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  float lat(lat) ; float lon(lon) ;
  float tas(time, lat, lon) ; tas:units = "${units}" ;
data:
  time = 0, 1 ;
  lat = 1, 2, 3 ;
  lon = 1, 2, 3, 4 ;
  tas = ${first}, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 ;
}
`;

const MTIME = new Date("2020-01-01T00:00:00Z");

/** Writes the file and pins its modification time, so a rewrite looks unchanged by size and time. */
function write(path: string, kind: "nc3" | "nc4", units: string, first: number): { size: number; mtimeMs: number } {
  ncgen(path, cdl(units, first), kind);
  utimesSync(path, MTIME, MTIME);
  const st = statSync(path);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

const openFds = () => readdirSync("/proc/self/fd").length;

describe.skipIf(!ncgenAvailable())("a warm task thread", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-warm-"));
  const data = join(root, "data");
  const roots = [data];
  const pools: Array<TaskPool<In, Out>> = [];
  const pool = () => {
    const p = new TaskPool<In, Out>({ size: 1, timeoutSeconds: 600, entry: POOL_THREAD });
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  const scanInput = (file: string, work: string): In["scan"] => ({ project: "p", roots, request: { files: [file], config: { format: "zarr" }, workDir: work } });
  const units = (inventory: string) =>
    (JSON.parse(readFileSync(inventory, "utf8")) as { variables: Array<{ name: string; attributes: Record<string, unknown> }> }).variables.find((v) => v.name === "tas")?.attributes["units"];

  for (const kind of ["nc4", "nc3"] as const) {
    it(`scans a ${kind} file rewritten with the same size and time afresh`, async () => {
      const file = join(data, `scan-${kind}.nc`);
      const before = write(file, kind, "K", 1);
      const p = pool();
      const first = await p.run("scan", scanInput(file, join(root, `scan-${kind}-1`)));
      expect(units(first.inventory)).toBe("K");
      expect(write(file, kind, "C", 1)).toEqual(before);
      const second = await p.run("scan", scanInput(file, join(root, `scan-${kind}-2`)));
      expect(units(second.inventory)).toBe("C");
      expect(p.threadsStarted).toBe(1);
    });

    it(`validates against a ${kind} source rewritten with the same size and time afresh`, async () => {
      const file = join(data, `validate-${kind}.nc`);
      const before = write(file, kind, "K", 1);
      const work = join(root, `validate-${kind}`);
      const scan = await scanProject("p", [file], { format: "zarr" }, work);
      const { product } = await writeZarrProduct(scan.inventory, work);
      const input: In["validate"] = { project: "p", roots, request: { files: [file], config: { format: "zarr" }, inventory: scan.inventoryPath, product, workDir: work } };
      const p = pool();
      expect((await p.run("validate", input)).summary.outcome).toBe("Success");
      expect(write(file, kind, "K", 1000)).toEqual(before);
      const e = await p.run("validate", input).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(TaskError);
      expect(e).toMatchObject({ kind: "ValidationError" });
      expect(p.threadsStarted).toBe(1);
    });
  }

  it("loads h5wasm for a netCDF4 source only when a task needs the HDF5 library", async () => {
    const file = join(data, "lazy.nc");
    write(file, "nc4", "K", 1);
    const p = pool();
    const work = join(root, "lazy");
    const scan = await p.run("scan", scanInput(file, work));
    expect((await p.run("whoami", {})).hdf5).toBe(false); // drover's own HDF5 reader covers it
    const { product } = await writeZarrProduct((await scanProject("p", [file], { format: "zarr" }, work)).inventory, work);
    await p.run("validate", { project: "p", roots, request: { files: [file], config: { format: "zarr" }, inventory: scan.inventory, product, workDir: work } });
    expect((await p.run("whoami", {})).hdf5).toBe(true); // the validator reads sources through it
  });

  it("leaves no file open after its tasks", async () => {
    const files = { nc3: join(data, "fd.nc"), nc4: join(data, "fd4.nc") };
    write(files.nc3, "nc3", "K", 1);
    write(files.nc4, "nc4", "K", 1);
    const p = pool();
    const inputs = Object.values(files).map((file, i) => {
      const work = join(root, `fd-${i}`);
      return { file, work };
    });
    const validations: Array<In["validate"]> = [];
    for (const { file, work } of inputs) {
      const scan = await p.run("scan", scanInput(file, work));
      const { product } = await writeZarrProduct((await scanProject("p", [file], { format: "zarr" }, work)).inventory, work);
      validations.push({ project: "p", roots, request: { files: [file], config: { format: "zarr" }, inventory: scan.inventory, product, workDir: work } });
    }
    const fds = openFds(); // the thread is warm: h5wasm and every module are loaded
    for (let i = 0; i < 40; i++) {
      for (const [j, v] of validations.entries()) {
        await p.run("validate", v);
        await p.run("scan", scanInput((inputs[j] as { file: string }).file, (inputs[j] as { work: string }).work));
      }
    }
    expect(openFds() - fds).toBeLessThanOrEqual(2);
  });
});
