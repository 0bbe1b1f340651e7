import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./processes.js";
import { timeLeft } from "./wait.js";

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

type Comparison = { variables: number; problems: string[] };

function compareArgs(product: string, concatDim: string, files: string[]): string[] {
  return [join(ROOT, "test", "python", "compare.py"), product, concatDim, ...files];
}

function parseComparison(stdout: string, status: number | null, stderr: string): Comparison {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Comparison;
  } catch {
    throw new Error(`compare.py failed (exit ${status}): ${stderr.slice(-2000)}`);
  }
}

/**
 * Opens the product with xarray (a Zarr store, or Kerchunk JSON through fsspec) and compares it
 * with the sources. It blocks the test's process (and vitest's own timer): killed if it runs
 * into the test's time limit. Prefer `xarrayCompareAsync` where the test can await.
 */
export function xarrayCompare(product: string, concatDim: string, files: string[]): Comparison {
  const r = spawnSync(PYTHON, compareArgs(product, concatDim, files), { encoding: "utf8", timeout: Math.max(1, timeLeft()) });
  return parseComparison(r.stdout ?? "", r.status, `${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}`);
}

/** `xarrayCompare` without blocking: timers and open connections keep working meanwhile. */
export function xarrayCompareAsync(product: string, concatDim: string, files: string[]): Promise<Comparison> {
  return new Promise((resolve, reject) => {
    const proc = spawn(PYTHON, compareArgs(product, concatDim, files), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeLeft());
    proc.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(parseComparison(stdout, code, stderr));
      } catch (e) {
        reject(e);
      }
    });
  });
}
