import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./processes.js";

// Debian's Python (xarray, zarr, netCDF4) reads drover's products as a user would. Its packages
// live under /usr/bin/python3, not the python3 first on PATH.

export const PYTHON = process.env["DROVER_TEST_PYTHON"] ?? "/usr/bin/python3";

export function pythonHasXarray(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import xarray, zarr, netCDF4, dask, fsspec"], { encoding: "utf8" });
  if (r.status === 0) return true;
  if (process.env["CI"] === "true") {
    throw new Error(`${PYTHON} cannot import xarray, zarr, netCDF4, dask and fsspec: install python3-xarray python3-zarr python3-netcdf4 python3-dask python3-fsspec`);
  }
  console.warn(`SKIPPED the xarray check: ${PYTHON} lacks xarray/zarr/netCDF4/dask/fsspec`);
  return false;
}

/** Opens the product with xarray (a Zarr store, or Kerchunk JSON through fsspec) and compares it with the sources. */
export function xarrayCompare(product: string, concatDim: string, files: string[]): { variables: number; problems: string[] } {
  const r = spawnSync(PYTHON, [join(ROOT, "test", "python", "compare.py"), product, concatDim, ...files], { encoding: "utf8" });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as { variables: number; problems: string[] };
  } catch {
    throw new Error(`compare.py failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  }
}
