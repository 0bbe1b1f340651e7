import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanProject, validateProduct, writeSeries, writeZarrProduct, type ProjectConfig, type SeriesSpec } from "@drover/shared";
import { checkByFile, type Box } from "../../../shared/src/validate/boxes.js";
import { startSourceThreads, type SourceThreads } from "../../../shared/src/validate/source-threads.js";
import { H5FilePool } from "../../../shared/src/h5/pool.js";
import { describeSources, openerInThread } from "../../../shared/src/validate/validation-sources.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";

// The validator's sources read in worker threads (as `drover refs` does) must give the very
// reports the validator writes reading them in its own thread, good product or bad.
// The threads run the compiled code (shared/dist): build first (npm test does).

const ENTRY = new URL("../../../shared/dist/validate/source-thread.js", import.meta.url);

const spec: SeriesSpec = {
  variable: "tas",
  standardName: "air_temperature",
  longName: "near-surface air temperature",
  units: "K",
  table: "day",
  frequency: "day",
  steps: [3, 4, 3, 4, 3, 2],
  stepDays: 1,
  nlat: 4,
  nlon: 6,
  chunks: [1, 4, 6],
  value: (lat, lon, t) => 250 + lat + lon / 10 + t / 100,
};

const config: ProjectConfig = { format: "zarr" };

describe("validating with the sources read in worker threads", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-vt-"));
  let files: string[] = [];
  let product = "";
  let threads: SourceThreads | undefined;
  beforeAll(async () => {
    files = await writeSeries(join(root, "src"), "tas", spec, 3);
    const inv = (await scanProject("tas", files, config, join(root, "work"))).inventory;
    product = (await writeZarrProduct(inv, join(root, "work"))).product;
  });
  afterAll(async () => {
    await threads?.close();
  });

  const both = async (p: string) => {
    const here = await validateProduct({ project: "tas", files, config, product: p, workDir: join(root, "here") });
    threads = startSourceThreads({ threads: 2, entry: ENTRY });
    const there = await validateProduct({ project: "tas", files, config, product: p, workDir: join(root, "there"), sources: describeSources(files, threads.open), readConcurrency: 3 });
    await threads.close();
    return { here, there };
  };

  it("writes the same reports for a faithful product", async () => {
    const { here, there } = await both(product);
    expect(here.summary.outcome).toBe("Success");
    expect(here.summary.filesCompared).toHaveLength(files.length);
    expect(readFileSync(there.dataReport, "utf8")).toBe(readFileSync(here.dataReport, "utf8"));
    expect(readFileSync(there.metadataReport, "utf8")).toBe(readFileSync(here.metadataReport, "utf8"));
  });

  it("writes the same reports for a product with a changed value", async () => {
    const bad = join(root, "bad.zarr");
    cpSync(product, bad, { recursive: true });
    const key = join(bad, "tas", "8.0.0");
    const values = new Float32Array(new Uint8Array(inflateSync(readFileSync(key))).buffer);
    values[7] = -1;
    writeFileSync(key, deflateSync(new Uint8Array(values.buffer)));
    const { here, there } = await both(bad);
    expect(here.summary.status).toBe("Fatal-data_errors");
    expect(readFileSync(there.dataReport, "utf8")).toBe(readFileSync(here.dataReport, "utf8"));
    expect(there.summary).toEqual(here.summary);
  });

  it("fails on a source the HDF5 library cannot read, naming it, as in this thread", async () => {
    const broken = join(root, "broken.nc");
    writeFileSync(broken, "not a netCDF file at all");
    threads = startSourceThreads({ threads: 2, entry: ENTRY });
    await expect(describeSources([files[0] as string, broken], threads.open)).rejects.toMatchObject({ kind: "SourceFormatError", message: expect.stringContaining(broken) });
    await threads.close();
  });
});

// The validator service reads its sources in its own thread, through a pool of at most 16 open
// HDF5 files. Describing every file at once once took files from that pool before waiting for
// the HDF5 library, so the 17th file closed the 1st before it was described: a project of more
// files than the pool holds failed with "identifier is not of specified type; the file is damaged".
describe("validating a project of more files than the validator keeps open", () => {
  const FILES = 20;
  const root = mkdtempSync(join(tmpdir(), "drover-many-"));
  let files: string[] = [];
  let product = "";
  beforeAll(async () => {
    files = await writeSeries(join(root, "src"), "tas", { ...spec, steps: Array.from({ length: FILES }, () => 1), nlat: 3, nlon: 4, chunks: [1, 3, 4] }, 5);
    const inv = (await scanProject("tas", files, config, join(root, "work"))).inventory;
    product = (await writeZarrProduct(inv, join(root, "work"))).product;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("describes and compares every file, in this thread and in worker threads", async () => {
    expect(files).toHaveLength(FILES);
    const here = await validateProduct({ project: "tas", files, config, product, workDir: join(root, "here") });
    expect(here.summary.status).toBe("Success");
    expect(here.summary.filesCompared).toEqual(files);
    const threads = startSourceThreads({ threads: 2, entry: ENTRY });
    try {
      const there = await validateProduct({ project: "tas", files, config, product, workDir: join(root, "there"), sources: describeSources(files, threads.open), readConcurrency: 3 });
      expect(there.summary).toEqual(here.summary);
    } finally {
      await threads.close();
    }
  });
});

// netCDF-3 sources are read by drover's own reader, which holds a file descriptor: kept for every
// source to the end of a validation, a project of more files than the process may open failed.
describe.skipIf(!ncgenAvailable())("describing many netCDF-3 sources in this thread", () => {
  it("keeps only a few of them open at a time, and still reads every one", async () => {
    const FILES = 40;
    const root = mkdtempSync(join(tmpdir(), "drover-nc3-many-"));
    try {
      const files = Array.from({ length: FILES }, (_, i) =>
        ncgen(join(root, `f${String(i).padStart(2, "0")}.nc`), `netcdf f { dimensions: time = UNLIMITED ; x = 3 ; variables: double time(time) ; float tas(time, x) ; data: time = ${i} ; tas = ${seq(3, i)} ; }`, "nc3"),
      );
      const pool = await H5FilePool.create();
      const open = () => readdirSync("/proc/self/fd").length;
      const before = open();
      const sources = await describeSources(files, openerInThread(pool));
      expect(open() - before).toBeLessThanOrEqual(16);
      const values = await Promise.all(sources.map((s) => s.box("/tas", [0, 0], [1, 3])));
      expect(values.map((v) => Array.from(v as ArrayLike<number>))).toEqual(files.map((_, i) => [i, i + 1, i + 2]));
      expect(open() - before).toBeLessThanOrEqual(16);
      pool.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("checkByFile", () => {
  const box = (file: number): Box => ({ file, start: [0], stop: [1], at: 0 });
  const lists = [[box(0), box(1), box(2)], [box(2), box(3)], [], [box(1), box(0), box(3), box(2)]];

  it("returns the results in the lists' shape whatever order the checks finish in", async () => {
    let running = 0;
    let most = 0;
    const files = new Set<number>();
    const results = await checkByFile(
      lists,
      async (list, b) => {
        files.add(b.file);
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, ((b.file * 7 + list * 3) % 5) * 3));
        running--;
        return `${list}:${b.file}`;
      },
      2,
    );
    expect(results).toEqual([["0:0", "0:1", "0:2"], ["1:2", "1:3"], [], ["3:1", "3:0", "3:3", "3:2"]]);
    expect(most).toBe(2);
    expect(files.size).toBe(4);
  });

  it("checks one file at a time by default, last file first", async () => {
    const seen: number[] = [];
    await checkByFile(lists, async (_list, b) => {
      seen.push(b.file);
      return 0;
    });
    expect(seen).toEqual([3, 3, 2, 2, 2, 1, 1, 0, 0]);
  });
});
