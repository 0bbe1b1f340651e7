import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

// Files written by the netCDF-C library itself (Debian's netcdf-bin), from CDL text.

export function ncgenAvailable(): boolean {
  const ok = spawnSync("ncgen", ["-version"], { encoding: "utf8" }).status !== null && spawnSync("which", ["ncgen"]).status === 0;
  if (!ok && process.env["CI"] === "true") throw new Error("ncgen is missing: install Debian's netcdf-bin");
  if (!ok) console.warn("SKIPPED: ncgen (Debian's netcdf-bin) is not installed");
  return ok;
}

/** Writes `cdl` with ncgen; kind "nc4" (netCDF-4), "nc7" (netCDF-4 classic model), "nc3" or "nc6" (64-bit offset). */
export function ncgen(path: string, cdl: string, kind: "nc3" | "nc4" | "nc6" | "nc7" = "nc4"): string {
  mkdirSync(dirname(path), { recursive: true });
  const cdlPath = `${path}.cdl`;
  writeFileSync(cdlPath, cdl);
  const r = spawnSync("ncgen", ["-k", kind, "-o", path, cdlPath], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ncgen failed for ${path}: ${r.stderr}`);
  return path;
}

/** CDL numbers for a generated series: `n` values from `start` stepping by `step`. */
export function seq(n: number, start = 0, step = 1): string {
  return Array.from({ length: n }, (_, i) => String(start + i * step)).join(", ");
}

/** CDL of a two-step file with tas (and pr) and a compound variable p, which no Zarr v2 product can carry. */
export function compoundCdl(name: string, start: number, withPr = false): string {
  return `netcdf ${name} {
types: compound pt { float x ; float y ; } ;
dimensions: time = UNLIMITED ; lat = 2 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  float lat(lat) ;
  float tas(time, lat) ;
  ${withPr ? "float pr(time, lat) ;" : ""}
  pt p(time) ;
data: time = ${start}, ${start + 1} ; lat = 1, 2 ; tas = 1, 2, 3, 4 ; ${withPr ? "pr = 5, 6, 7, 8 ;" : ""} p = {1, 2}, {3, 4} ;
}
`;
}
