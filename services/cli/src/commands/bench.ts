import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import {
  buildReferences,
  readLayout,
  scanProject,
  writeJsonAtomic,
  writeSeries,
  type SeriesSpec,
} from "@drover/shared";
import { str, type Command, type Invocation } from "../command.js";
import type { Context } from "../context.js";

// `npm run bench`: reference generation on a generated series of 200 netCDF4 files (several GB),
// measured in one process: files per second, bytes read per file against the files' metadata
// size, and the time to combine. Results go to bench/results.json.

const FILES = 200;
const spec: SeriesSpec = {
  variable: "tas",
  standardName: "air_temperature",
  longName: "air temperature",
  units: "K",
  table: "day",
  frequency: "day",
  steps: Array.from({ length: FILES }, () => 80),
  stepDays: 1,
  nlat: 180,
  nlon: 360,
  chunks: [1, 180, 360],
  value: (lat, lon, t, n) => 250 + lat / 3 + lon / 36 + (t % 30) + n,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export const bench: Command = {
  name: "bench",
  args: "",
  summary: "Times reference generation on 200 generated netCDF4 files (3 GB, written once) and writes the figures to bench/results.json.",
  options: {
    dir: { type: "string", value: "DIR", help: "where the generated series lives (default $DROVER_HOME/bench/series-200x80)" },
    out: { type: "string", value: "FILE", help: "where the results go (default bench/results.json)" },
    rounds: { type: "string", value: "N", help: "timed rounds (default 5)" },
  },
  examples: ["npm run bench", "drover bench --rounds 9"],
  run: (ctx, input) => runBench(ctx, input),
};

async function runBench(ctx: Context, { values }: Invocation): Promise<number> {
  const dir = resolve(str(values, "dir") ?? join(ctx.config.home, "bench", "series-200x80"));
  const out = resolve(str(values, "out") ?? "bench/results.json");
  const rounds = Number(str(values, "rounds") ?? 5);
  const say = (s: string) => process.stderr.write(`${s}\n`);

  // The series is made once (uncompressed chunks: h5wasm writes one filter at most, and data
  // bytes do not matter for references) and reused.
  let files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".nc")).map((f) => join(dir, f)).sort() : [];
  if (files.length !== FILES) {
    mkdirSync(dir, { recursive: true });
    say(`writing ${FILES} files into ${dir} (once)…`);
    const t = performance.now();
    files = await writeSeries(dir, "bench", { ...spec, chunks: spec.chunks }, 42);
    say(`  ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const sizes = files.map((f) => statSync(f).size);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);

  // 1. Per-file layouts and references (the part Python's kerchunk does with SingleHdf5ToZarr).
  const perRound: number[] = [];
  let bytesRead = 0;
  let metadataBytes = 0;
  for (let r = 0; r < rounds; r++) {
    bytesRead = 0;
    metadataBytes = 0;
    const t = performance.now();
    for (const f of files) {
      const { layout, bytesRead: n } = readLayout(f);
      bytesRead += n;
      const stored = layout.variables.reduce((s, v) => {
        const st = v.storage;
        if (st.kind === "chunked") return s + st.chunks.reduce((a, c) => a + c.length, 0);
        if (st.kind === "contiguous") return s + st.length;
        return s;
      }, 0);
      metadataBytes += layout.size - stored;
    }
    perRound.push(performance.now() - t);
  }
  const layoutMs = median(perRound);

  // 2. The whole reference build: scan (plan, coordinates) + per-file refs + combine + JSON.
  const work = resolve(ctx.config.home, "bench", "work");
  const scanMs: number[] = [];
  const buildMs: number[] = [];
  const combineMs: number[] = [];
  let jsonBytes = 0;
  let keys = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const scan = await scanProject("bench", files, { format: "kerchunk" }, work);
    const t1 = performance.now();
    const { doc } = buildReferences(scan.inventory, undefined, {}, () => {}, scan.layouts);
    const t2 = performance.now();
    const text = JSON.stringify(doc);
    const t3 = performance.now();
    scanMs.push(t1 - t0);
    buildMs.push(t2 - t1);
    combineMs.push(t3 - t2);
    jsonBytes = text.length;
    keys = Object.keys(doc.refs).length;
  }
  const total = median(scanMs) + median(buildMs) + median(combineMs);
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    series: { files: FILES, totalBytes, bytesPerFile: Math.round(totalBytes / FILES), chunksPerFile: spec.steps[0], writer: "h5wasm (chunked, uncompressed)" },
    note: "Warm page cache; medians of the rounds. Python's kerchunk is not installable here (no PyPI); the issue quotes ~10 ms per small netCDF4 file for it.",
    layouts: {
      rounds,
      msTotal: +layoutMs.toFixed(1),
      msPerFile: +(layoutMs / FILES).toFixed(3),
      filesPerSecond: Math.round((FILES / layoutMs) * 1000),
      bytesReadPerFile: Math.round(bytesRead / FILES),
      metadataBytesPerFile: Math.round(metadataBytes / FILES),
      bytesReadOverMetadata: +(bytesRead / metadataBytes).toFixed(2),
      bytesReadOverFileSize: +(bytesRead / totalBytes).toFixed(5),
    },
    references: {
      msScan: +median(scanMs).toFixed(1),
      msPerFileRefsAndCombine: +(median(buildMs) / FILES).toFixed(3),
      msBuild: +median(buildMs).toFixed(1),
      msSerialise: +median(combineMs).toFixed(1),
      msTotal: +total.toFixed(1),
      filesPerSecond: Math.round((FILES / total) * 1000),
      keys,
      jsonBytes,
      speedupOverKerchunkAt10msPerFile: +((FILES * 10) / total).toFixed(1),
    },
  };
  writeJsonAtomic(out, results);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  say(`results written to ${out}`);
  return 0;
}
