import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DroverError } from "../errors.js";
import { writeSeries, type SeriesSpec } from "./cmip-like.js";
import { demoSeries } from "./demo-group.js";

// The two series the benchmark times `drover refs` on, at the shapes Python's kerchunk was timed
// on (issue 8): 132 monthly files of one step, 73×144, two variables, zlib + shuffle, one step a
// chunk; and 200 files of 15 MB (80 daily steps of 180×360, gzip). Written once, then reused.

const deg = Math.PI / 180;

export const benchSeries: Record<"monthly132" | "daily200", { spec: SeriesSpec; shuffle: boolean; description: string }> = {
  monthly132: {
    description: "132 netCDF-4 files, 1 monthly step each, 73×144, 2 variables (tas, ts), zlib + shuffle, chunks of one step",
    shuffle: true,
    spec: {
      // The demo's monthly air temperature, at CMIP's 2.5° grid, one step a file.
      ...(demoSeries["tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"] as SeriesSpec),
      steps: Array.from({ length: 132 }, () => 1),
      nlat: 73,
      nlon: 144,
      chunks: [1, 73, 144],
      also: [
        {
          variable: "ts",
          standardName: "surface_temperature",
          longName: "Surface Temperature",
          units: "K",
          value: (lat, lon, t, n) => 290 - 42 * Math.sin(lat * deg) ** 2 + 7 * Math.cos((2 * Math.PI * t) / 12) * Math.sin(lat * deg) + Math.sin(lon * deg) + n,
        },
      ],
    },
  },
  daily200: {
    description: "200 netCDF-4 files of ~15 MB, 80 daily steps each, 180×360, gzip, chunks of one step",
    shuffle: false,
    spec: {
      variable: "tas",
      standardName: "air_temperature",
      longName: "air temperature",
      units: "K",
      table: "day",
      frequency: "day",
      steps: Array.from({ length: 200 }, () => 80),
      stepDays: 1,
      nlat: 180,
      nlon: 360,
      chunks: [1, 180, 360],
      value: (lat, lon, t, n) => 250 + lat / 3 + lon / 36 + (t % 30) + n,
    },
  },
};

/** The series' files in `dir`, written first when they are not all there. */
export async function benchSeriesFiles(name: keyof typeof benchSeries, dir: string, say: (s: string) => void = () => {}): Promise<string[]> {
  const { spec, shuffle } = benchSeries[name];
  const listed = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".nc")).map((f) => join(dir, f)).sort() : []);
  const have = listed();
  if (have.length === spec.steps.length) return have;
  if (shuffle) {
    try {
      execFileSync("nccopy", ["-h"], { stdio: "ignore" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new DroverError("ConfigError", "the zlib + shuffle series is re-encoded by nccopy (h5wasm writes one filter): install it with apt-get install netcdf-bin");
    }
  }
  say(`writing the ${name} series into ${dir} (once): ${benchSeries[name].description}`);
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files = await writeSeries(tmp, `bench-${name}`, spec, 42);
  // netCDF-C's own re-encoding: deflate level 4 with the shuffle filter, chunking kept.
  if (shuffle) for (const f of files) {
    execFileSync("nccopy", ["-d", "4", "-s", f, `${f}.z`]);
    renameSync(`${f}.z`, f);
  }
  renameSync(tmp, dir);
  return listed();
}

/** One project of the pipeline benchmark: the daily series at a tiny size (one file of 4 steps, 4×8). */
export const pipelineProjectSpec: SeriesSpec = { ...benchSeries.daily200.spec, steps: [4], nlat: 4, nlon: 8, chunks: [1, 4, 8] };
