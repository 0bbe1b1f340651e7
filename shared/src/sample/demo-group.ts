import { join } from "node:path";
import { writeFileAtomic } from "../fsutil.js";
import { writeSeries, type SeriesSpec } from "./cmip-like.js";

// The demo flock's one group: three CMIP-like projects (monthly air temperature, daily
// precipitation, monthly sea-surface temperature with a land mask) in a PADOCC group file.

const deg = Math.PI / 180;

export const demoSeries: Record<string, SeriesSpec> = {
  "tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn": {
    variable: "tas",
    standardName: "air_temperature",
    longName: "Near-Surface Air Temperature",
    units: "K",
    table: "Amon",
    frequency: "mon",
    steps: [12, 12, 12],
    stepDays: 365 / 12,
    nlat: 36,
    nlon: 72,
    chunks: [1, 36, 72],
    height: 2,
    value: (lat, lon, t, n) =>
      288 - 40 * Math.sin(lat * deg) ** 2 + 8 * Math.sin(lat * deg) * Math.cos((2 * Math.PI * t) / 12) + 2 * Math.cos(lon * deg) + n,
  },
  "pr_day_DROVER-DEMO_historical_r1i1p1f1_gn": {
    variable: "pr",
    standardName: "precipitation_flux",
    longName: "Precipitation",
    units: "kg m-2 s-1",
    table: "day",
    frequency: "day",
    steps: [120, 120, 125],
    stepDays: 1,
    nlat: 18,
    nlon: 36,
    chunks: [30, 18, 36],
    value: (lat, _lon, _t, n) => (n < 0.4 ? 0 : 3e-5 * Math.cos(lat * deg) ** 2 * (n - 0.4)),
  },
  "tos_Omon_DROVER-DEMO_historical_r1i1p1f1_gn": {
    variable: "tos",
    standardName: "sea_surface_temperature",
    longName: "Sea Surface Temperature",
    units: "degC",
    table: "Omon",
    frequency: "mon",
    steps: [24, 24],
    stepDays: 365 / 12,
    nlat: 30,
    nlon: 60,
    chunks: [12, 30, 60],
    value: (lat, lon, t, n) =>
      // A crude continent: land (missing) between 20°E and 60°E north of the equator.
      lon > 20 && lon < 60 && lat > 0 && lat < 70
        ? Number.NaN
        : 28 * Math.cos(lat * deg) - 1.8 + 1.5 * Math.sin((2 * Math.PI * t) / 12) * Math.sign(lat) + 0.2 * n,
  },
};

export interface SampleGroup {
  groupFile: string;
  projects: Record<string, string[]>;
}

/**
 * Writes the demo group under `dataDir`: one directory of files per project and `demo.csv`,
 * PADOCC's group file (two projects as globs, one as a .txt list of files).
 */
export async function writeDemoGroup(dataDir: string): Promise<SampleGroup> {
  const projects: Record<string, string[]> = {};
  const lines = ["project_code,pattern"];
  let seed = 1;
  for (const [code, spec] of Object.entries(demoSeries)) {
    const dir = join(dataDir, "demo", spec.variable);
    const paths = await writeSeries(dir, code, spec, seed++);
    projects[code] = paths;
    if (spec.variable === "tos") {
      const list = join(dir, "files.txt");
      writeFileAtomic(list, `${paths.join("\n")}\n`);
      lines.push(`${code},${list}`);
    } else {
      lines.push(`${code},${join(dir, `${spec.variable}_*.nc`)}`);
    }
  }
  const groupFile = join(dataDir, "demo", "demo.csv");
  writeFileAtomic(groupFile, `${lines.join("\n")}\n`);
  return { groupFile, projects };
}
