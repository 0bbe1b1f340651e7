import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSeries } from "@drover/shared";
import type { CorpusFile, FromChild, Outcome, ToChild } from "../helpers/fuzz-child.js";
import { anatomy, corpusIndex, mutantOf, type FuzzFormat } from "../helpers/fuzz.js";
import { ncgen, ncgenAvailable } from "../helpers/ncgen.js";
import { ROOT } from "../helpers/processes.js";
import { tinySeries } from "../helpers/series.js";

// Issue 11, "Data files": mutated real files through the HDF5 and netCDF3 layout readers, the
// way the scan reads them (openChecked + readLayoutFrom). Every mutant must end in a layout or
// in a DroverError naming the file; a TypeError, a RangeError, a stack overflow, a crash, an
// out-of-memory, a hang (no answer within the watchdog) or a single read that leaves more than
// max(64 MB, 4 × the file's size) of new memory behind is a failure, reported with the seed and
// the mutations so that it can be reproduced (mutantOf in test/helpers/fuzz.ts).
//
// DROVER_FUZZ_SEED (default 20261203) and DROVER_FUZZ_COUNT (mutants per format, default 10000)
// change the run; DROVER_FUZZ_ONLY="hdf5:123,netcdf3:7" runs only those mutants. The counts go to
// the log and to var/fuzz-summary.json; failing mutants are saved under var/fuzz-failures/.

const SEED = Number(process.env["DROVER_FUZZ_SEED"] ?? 20261203);
const COUNT = Number(process.env["DROVER_FUZZ_COUNT"] ?? 10000);
const ONLY = (process.env["DROVER_FUZZ_ONLY"] ?? "")
  .split(",")
  .filter((s) => s.includes(":"))
  .map((s) => {
    const [format, index] = s.split(":");
    return { format: format as FuzzFormat, index: Number(index) };
  });
/** No answer for this long: the reader hangs on the mutant. */
const WATCHDOG_MS = 2000;
const CHILDREN = 2;
const MB = 1024 * 1024;
const FIXTURES = join(ROOT, "test", "fixtures");

interface Failure {
  format: FuzzFormat;
  index: number;
  corpus: string;
  steps: string[];
  problem: string;
}

interface FormatCounts {
  mutants: number;
  results: number;
  namedErrors: number;
  failures: number;
  byKind: Record<string, number>;
}

const CDL_NC3 = `netcdf gen3 {
dimensions:
  time = UNLIMITED ; lat = 3 ; lon = 4 ; nv = 2 ; len = 5 ;
variables:
  double time(time) ; time:units = "days since 1850-01-01" ; time:calendar = "noleap" ; time:bounds = "time_bnds" ;
  double time_bnds(time, nv) ;
  float lat(lat) ; lat:units = "degrees_north" ;
  float lon(lon) ; lon:units = "degrees_east" ;
  float tas(time, lat, lon) ; tas:units = "K" ; tas:_FillValue = 1.e+20f ; tas:valid_range = 100.f, 400.f ;
  short flag(lat, lon) ; flag:flag_values = 0s, 1s ;
  char label(lat, len) ;
  byte b(time) ;
  int n ;
// global attributes:
  :Conventions = "CF-1.7" ; :history = "fuzz corpus" ; :version = 3 ;
data:
  time = 0.5, 1.5 ; time_bnds = 0, 1, 1, 2 ;
  lat = 1, 2, 3 ; lon = 1, 2, 3, 4 ;
  tas = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 ;
  flag = 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 ;
  label = "abcde", "fghij", "klmno" ;
  b = 1, 2 ; n = 7 ;
}
`;

const CDL_NC4 = `netcdf gen4 {
dimensions:
  time = UNLIMITED ; lat = 3 ; lon = 4 ;
variables:
  double time(time) ; time:units = "days since 1850-01-01" ;
  float lat(lat) ; float lon(lon) ;
  float tas(time, lat, lon) ; tas:_ChunkSizes = 1, 3, 4 ; tas:_DeflateLevel = 1 ; tas:_Shuffle = "true" ;
    tas:units = "K" ; tas:a1 = 1 ; tas:a2 = 2 ; tas:a3 = 3 ; tas:a4 = 4 ; tas:a5 = 5 ; tas:a6 = 6 ; tas:a7 = 7 ; tas:a8 = 8 ; tas:a9 = 9 ; tas:a10 = 10 ;
  string names(lat) ;
  int64 big(lon) ; big:_Storage = "contiguous" ;
// global attributes:
  :title = "fuzz corpus" ; string :sattr = "a", "b" ;
data:
  time = 0, 1 ; lat = 1, 2, 3 ; lon = 1, 2, 3, 4 ;
  tas = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 ;
  names = "x", "yy", "zzz" ; big = 1, 2, 3, 4 ;
group: model {
  dimensions: level = 2 ;
  variables: float w(level, lat) ; w:units = "m s-1" ;
  data: w = 1, 2, 3, 4, 5, 6 ;
  group: deeper {
    variables: int k(level) ;
    data: k = 1, 2 ;
  }
}
}
`;

/** The real files mutants start from: the reader fixtures that read, plus files written here. */
async function buildCorpus(dir: string): Promise<Record<FuzzFormat, CorpusFile[]>> {
  const read = (path: string, name: string): CorpusFile => ({ name, bytes: new Uint8Array(readFileSync(path)) });
  const fixtures = (sub: string) =>
    readdirSync(join(FIXTURES, sub))
      .filter((n) => !n.startsWith("broken.") && !n.endsWith(".json") && n !== "h5py.virtual.vds.h5")
      .sort()
      .map((n) => read(join(FIXTURES, sub, n), n));
  const corpus = { hdf5: fixtures("hdf5"), netcdf3: fixtures("netcdf3") };
  // Written by the project's own writer (h5wasm), as the demo and the benches do.
  const series = await writeSeries(join(dir, "series"), "fuzz", tinySeries({ steps: [3], nlat: 3, nlon: 4, chunks: [1, 3, 4] }), 7);
  for (const p of series) corpus.hdf5.push(read(p, "writeSeries.nc"));
  if (ncgenAvailable()) {
    corpus.netcdf3.push(read(ncgen(join(dir, "gen", "classic.nc"), CDL_NC3, "nc3"), "ncgen.classic.nc"));
    corpus.netcdf3.push(read(ncgen(join(dir, "gen", "offset64.nc"), CDL_NC3, "nc6"), "ncgen.64bit-offset.nc"));
    corpus.hdf5.push(read(ncgen(join(dir, "gen", "nc4.nc"), CDL_NC4, "nc4"), "ncgen.nc4-groups.nc"));
    corpus.hdf5.push(read(ncgen(join(dir, "gen", "nc7.nc"), CDL_NC3, "nc7"), "ncgen.nc4-classic.nc"));
  }
  return corpus;
}

/** Compiles the child (TypeScript, the readers' sources) into one script: child processes cannot load .ts. */
async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, "fuzz-child.mjs");
  await build({
    entryPoints: [join(ROOT, "test", "helpers", "fuzz-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "error",
  });
  return outfile;
}

/**
 * Runs the mutants in CHILDREN processes, one mutant at a time each, with a watchdog per mutant.
 * A child that hangs is killed and one that dies is replaced; both count as failures.
 */
async function runAll(script: string, dir: string, corpus: Record<FuzzFormat, CorpusFile[]>, tasks: { format: FuzzFormat; index: number }[]) {
  const counts: Record<FuzzFormat, FormatCounts> = {
    hdf5: { mutants: 0, results: 0, namedErrors: 0, failures: 0, byKind: {} },
    netcdf3: { mutants: 0, results: 0, namedErrors: 0, failures: 0, byKind: {} },
  };
  const failures: Failure[] = [];
  let largestGrowth = { bytes: 0, what: "" };
  let next = 0;
  const work = join(dir, "mutants");
  mkdirSync(work, { recursive: true });

  const corpusName = (format: FuzzFormat, index: number) => (corpus[format][corpusIndex(index, corpus[format].length)] as CorpusFile).name;
  const record = (format: FuzzFormat, index: number, outcome: Outcome, kind: string, problem: string) => {
    const c = counts[format];
    c.mutants++;
    if (outcome === "result") c.results++;
    else if (outcome === "named") {
      c.namedErrors++;
      c.byKind[kind] = (c.byKind[kind] ?? 0) + 1;
    } else {
      c.failures++;
      const files = corpus[format];
      const base = files[corpusIndex(index, files.length)] as CorpusFile;
      const { steps } = mutantOf(base.bytes, anatomy(base.bytes, format), SEED, format, index);
      failures.push({ format, index, corpus: base.name, steps, problem });
    }
  };

  const lane = () =>
    new Promise<void>((resolve) => {
      let child: ChildProcess;
      let current: { format: FuzzFormat; index: number } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let stderr = "";
      const start = () => {
        stderr = "";
        child = fork(script, [], {
          execArgv: ["--max-old-space-size=512"],
          serialization: "advanced",
          stdio: ["ignore", "ignore", "pipe", "ipc"],
          env: { ...process.env, NODE_OPTIONS: "" },
        });
        child.stderr?.on("data", (d: Buffer) => {
          stderr = (stderr + d.toString()).slice(-2000);
        });
        child.on("message", (m: FromChild) => {
          if (m.type === "ready") return dispatch();
          clearTimeout(timer);
          const limit = Math.max(64 * MB, 4 * m.size);
          const growth = Math.max(m.rssGrowth, m.bufferGrowth);
          if (growth > largestGrowth.bytes) largestGrowth = { bytes: growth, what: `${m.format}:${m.index}` };
          if (m.outcome !== "failure" && growth > limit) {
            record(m.format, m.index, "failure", "memory", `left ${(growth / MB).toFixed(0)} MB of new memory (limit ${(limit / MB).toFixed(0)} MB) after a ${m.outcome}`);
          } else record(m.format, m.index, m.outcome, m.kind, `${m.kind}: ${m.message}`);
          current = undefined;
          dispatch();
        });
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          if (current) {
            const t = current;
            current = undefined;
            const tail = stderr.trim().split("\n").slice(-3).join(" | ");
            record(t.format, t.index, "failure", "crash", `the reading process died (code ${code}, signal ${signal}): ${tail}`);
            start();
          }
        });
        const init: ToChild = { type: "init", dir: work, seed: SEED, corpus };
        child.send(init);
      };
      const dispatch = () => {
        const t = tasks[next++];
        if (!t) {
          child.disconnect();
          resolve();
          return;
        }
        current = t;
        timer = setTimeout(() => {
          const hung = current;
          if (!hung) return;
          current = undefined;
          record(hung.format, hung.index, "failure", "hang", `no answer within ${WATCHDOG_MS} ms: the reader hangs (killed)`);
          child.removeAllListeners("exit");
          child.kill("SIGKILL");
          start();
        }, WATCHDOG_MS);
        const m: ToChild = { type: "run", format: t.format, index: t.index };
        child.send(m);
      };
      start();
    });

  await Promise.all(Array.from({ length: CHILDREN }, lane));
  return { counts, failures, largestGrowth, corpusName };
}

describe("the HDF5 and netCDF3 readers on mutated real files", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-fuzz-"));
  let corpus: Record<FuzzFormat, CorpusFile[]>;
  let script: string;
  beforeAll(async () => {
    [corpus, script] = await Promise.all([buildCorpus(dir), bundleChild(dir)]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`returns a layout or a named error for every mutant (seed ${SEED}, ${COUNT} per format)`, async () => {
    expect(corpus.hdf5.length).toBeGreaterThanOrEqual(10);
    expect(corpus.netcdf3.length).toBeGreaterThanOrEqual(10);
    const tasks =
      ONLY.length > 0
        ? ONLY
        : Array.from({ length: COUNT }, (_, index) => [
            { format: "hdf5" as const, index },
            { format: "netcdf3" as const, index },
          ]).flat();
    const started = Date.now();
    const { counts, failures, largestGrowth } = await runAll(script, dir, corpus, tasks);
    const wallMs = Date.now() - started;

    const summary = {
      seed: SEED,
      countPerFormat: COUNT,
      corpus: { hdf5: corpus.hdf5.map((f) => f.name), netcdf3: corpus.netcdf3.map((f) => f.name) },
      watchdogMs: WATCHDOG_MS,
      wallMs,
      largestMemoryGrowth: { mb: Number((largestGrowth.bytes / MB).toFixed(1)), mutant: largestGrowth.what },
      counts,
      failures: failures.slice(0, 50),
    };
    const varDir = join(ROOT, "var");
    mkdirSync(varDir, { recursive: true });
    writeFileSync(join(varDir, "fuzz-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    if (failures.length > 0) {
      const saved = join(varDir, "fuzz-failures");
      mkdirSync(saved, { recursive: true });
      for (const f of failures.slice(0, 50)) {
        const base = corpus[f.format].find((c) => c.name === f.corpus) as CorpusFile;
        writeFileSync(join(saved, `${SEED}-${f.format}-${f.index}-${f.corpus}`), mutantOf(base.bytes, anatomy(base.bytes, f.format), SEED, f.format, f.index).bytes);
      }
    }
    for (const format of ["hdf5", "netcdf3"] as const) {
      const c = counts[format];
      console.log(`fuzz ${format}: ${c.mutants} mutants, ${c.results} layouts, ${c.namedErrors} named errors ${JSON.stringify(c.byKind)}, ${c.failures} failures`);
    }
    console.log(`fuzz: seed ${SEED}, ${wallMs} ms, largest memory left by one read ${summary.largestMemoryGrowth.mb} MB; summary in var/fuzz-summary.json`);

    const report = failures
      .slice(0, 20)
      .map((f) => `DROVER_FUZZ_SEED=${SEED} DROVER_FUZZ_ONLY=${f.format}:${f.index} (from ${f.corpus}: ${f.steps.join("; ")}) → ${f.problem}`)
      .join("\n");
    expect(report).toBe("");
    expect(counts.hdf5.mutants + counts.netcdf3.mutants).toBe(tasks.length);
  });
});
