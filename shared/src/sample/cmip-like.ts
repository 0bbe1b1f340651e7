import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempPathFor } from "../fsutil.js";
import { loadHdf5 } from "../h5/open.js";

// A small, realistic, multi-file CMIP-like series written with h5wasm: unlimited time,
// lat/lon/time coordinates with CF attributes and bounds, chunked + compressed data.

const DIM_ONLY = (n: number) => `This is a netCDF dimension but not a netCDF variable. ${String(n).padStart(9)}`;

export interface SeriesSpec {
  variable: string;
  standardName: string;
  longName: string;
  units: string;
  table: string;
  frequency: string;
  /** Time steps per file. */
  steps: number[];
  /** Days between steps (a 365-day calendar). */
  stepDays: number;
  nlat: number;
  nlon: number;
  chunks: [number, number, number];
  /** Value at (lat, lon, step index, random 0..1). NaN marks a missing (fill) value. */
  value: (lat: number, lon: number, step: number, noise: number) => number;
  /** Scalar coordinate, e.g. CMIP's height for tas. */
  height?: number;
  /** More data variables on the same grid (as a CMIP file with two fields). */
  also?: DataVariable[];
}

/** A data variable of a series beside its main one. */
export interface DataVariable {
  variable: string;
  standardName: string;
  longName: string;
  units: string;
  value: (lat: number, lon: number, step: number, noise: number) => number;
}

/** Deterministic pseudo-random numbers (mulberry32): the same sample data on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILL = 1e20;

function centres(n: number, start: number, span: number): Float64Array {
  const step = span / n;
  return Float64Array.from({ length: n }, (_, i) => start + step * (i + 0.5));
}

function bounds(c: Float64Array, step: number): Float64Array {
  const b = new Float64Array(c.length * 2);
  c.forEach((v, i) => {
    b[2 * i] = v - step / 2;
    b[2 * i + 1] = v + step / 2;
  });
  return b;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** "days since 1850-01-01" in a 365-day calendar → yyyymmdd (for file names). */
function noleapDate(days: number): string {
  const months = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const year = 1850 + Math.floor(days / 365);
  let d = Math.floor(days % 365);
  let m = 0;
  while (d >= (months[m] ?? 31)) d -= months[m++] ?? 31;
  return `${year}${pad(m + 1, 2)}${pad(d + 1, 2)}`;
}

/** Writes one series as `files.length` files in `dir`; returns their paths in time order. */
export async function writeSeries(dir: string, project: string, spec: SeriesSpec, seed: number): Promise<string[]> {
  const h5 = await loadHdf5();
  mkdirSync(dir, { recursive: true });
  const rand = prng(seed);
  const lat = centres(spec.nlat, -90, 180);
  const lon = centres(spec.nlon, 0, 360);
  const paths: string[] = [];
  let t0 = 0;
  for (let f = 0; f < spec.steps.length; f++) {
    const nt = spec.steps[f] ?? 1;
    const time = Float64Array.from({ length: nt }, (_, i) => (t0 + i) * spec.stepDays + spec.stepDays / 2);
    const start = noleapDate(t0 * spec.stepDays);
    const end = noleapDate((t0 + nt) * spec.stepDays - 1);
    const path = join(dir, `${spec.variable}_${spec.table}_DROVER-DEMO_historical_r1i1p1f1_gn_${start}-${end}.nc`);
    const tmp = tempPathFor(path);
    const file = new h5.File(tmp, "w");
    try {
      const attr = (o: { create_attribute: (n: string, v: never, s?: null, d?: string) => void }, n: string, v: string | number) =>
        typeof v === "string" ? o.create_attribute(n, v as never) : o.create_attribute(n, new Float64Array([v]) as never);
      const bnds = file.create_dataset({ name: "bnds", data: new Float32Array(2), shape: [2] });
      bnds.make_scale(DIM_ONLY(2));
      const tv = file.create_dataset({ name: "time", data: time, shape: [nt], maxshape: [null], chunks: [512] });
      tv.make_scale("time");
      for (const [k, v] of [
        ["bounds", "time_bnds"],
        ["units", "days since 1850-01-01"],
        ["calendar", "noleap"],
        ["axis", "T"],
        ["long_name", "time"],
        ["standard_name", "time"],
      ] as const)
        attr(tv, k, v);
      const latv = file.create_dataset({ name: "lat", data: lat, shape: [spec.nlat] });
      latv.make_scale("lat");
      for (const [k, v] of [
        ["bounds", "lat_bnds"],
        ["units", "degrees_north"],
        ["axis", "Y"],
        ["long_name", "Latitude"],
        ["standard_name", "latitude"],
      ] as const)
        attr(latv, k, v);
      const lonv = file.create_dataset({ name: "lon", data: lon, shape: [spec.nlon] });
      lonv.make_scale("lon");
      for (const [k, v] of [
        ["bounds", "lon_bnds"],
        ["units", "degrees_east"],
        ["axis", "X"],
        ["long_name", "Longitude"],
        ["standard_name", "longitude"],
      ] as const)
        attr(lonv, k, v);
      const tb = file.create_dataset({
        name: "time_bnds",
        data: bounds(time, spec.stepDays),
        shape: [nt, 2],
        maxshape: [null, 2],
        chunks: [1, 2],
      });
      tb.attach_scale(0, "time");
      tb.attach_scale(1, "bnds");
      const lb = file.create_dataset({ name: "lat_bnds", data: bounds(lat, 180 / spec.nlat), shape: [spec.nlat, 2] });
      lb.attach_scale(0, "lat");
      lb.attach_scale(1, "bnds");
      const ob = file.create_dataset({ name: "lon_bnds", data: bounds(lon, 360 / spec.nlon), shape: [spec.nlon, 2] });
      ob.attach_scale(0, "lon");
      ob.attach_scale(1, "bnds");
      if (spec.height !== undefined) {
        const hv = file.create_dataset({ name: "height", data: new Float64Array([spec.height]), shape: [] });
        for (const [k, v] of [
          ["units", "m"],
          ["axis", "Z"],
          ["positive", "up"],
          ["long_name", "height"],
          ["standard_name", "height"],
        ] as const)
          attr(hv, k, v);
      }
      for (const v of [spec, ...(spec.also ?? [])]) {
        const data = new Float32Array(nt * spec.nlat * spec.nlon);
        let k = 0;
        for (let t = 0; t < nt; t++)
          for (let j = 0; j < spec.nlat; j++)
            for (let i = 0; i < spec.nlon; i++) {
              const x = v.value(lat[j] ?? 0, lon[i] ?? 0, t0 + t, rand());
              data[k++] = Number.isNaN(x) ? FILL : x;
            }
        const dv = file.create_dataset({
          name: v.variable,
          data,
          shape: [nt, spec.nlat, spec.nlon],
          maxshape: [null, spec.nlat, spec.nlon],
          chunks: spec.chunks,
          compression: "gzip",
          compression_opts: 4,
        });
        dv.attach_scale(0, "time");
        dv.attach_scale(1, "lat");
        dv.attach_scale(2, "lon");
        for (const [k2, a] of [
          ["standard_name", v.standardName],
          ["long_name", v.longName],
          ["units", v.units],
          ["cell_methods", "area: time: mean"],
          ["cell_measures", "area: areacella"],
        ] as const)
          attr(dv, k2, a);
        if (spec.height !== undefined) attr(dv, "coordinates", "height");
        dv.create_attribute("_FillValue", new Float32Array([FILL]) as never);
        dv.create_attribute("missing_value", new Float32Array([FILL]) as never);
      }
      const r = prng(seed * 7919 + f);
      const tracking = Array.from({ length: 4 }, () => Math.floor(r() * 0xffffffff).toString(16).padStart(8, "0")).join("-");
      for (const [k2, v] of [
        ["Conventions", "CF-1.7 CMIP-6.2"],
        ["activity_id", "CMIP"],
        ["experiment_id", "historical"],
        ["source_id", "DROVER-DEMO"],
        ["institution_id", "DROVER"],
        ["variant_label", "r1i1p1f1"],
        ["table_id", spec.table],
        ["frequency", spec.frequency],
        ["variable_id", spec.variable],
        ["grid_label", "gn"],
        ["title", `${project}: synthetic CMIP-like sample data made by drover`],
        ["creation_date", `2026-01-${pad(f + 1, 2)}T00:00:00Z`],
        ["tracking_id", `hdl:21.14100/${tracking}`],
        ["license", "Synthetic data for testing; no rights reserved."],
      ] as const)
        attr(file, k2, v);
      attr(file, "branch_time_in_parent", 0);
    } finally {
      file.close();
    }
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    renameSync(tmp, path);
    paths.push(path);
    t0 += nt;
  }
  return paths;
}
