import { closeSync, openSync, readSync, statSync } from "node:fs";
import type h5wasm from "h5wasm/node";
import { DroverError, sourceOpenError } from "../errors.js";
import type { H5Calls } from "./attribute-values.js";

// Opening files with h5wasm safely: h5wasm answers a corrupt file with a flood of HDF5-DIAG lines
// on stderr and "error - name not defined!". We check what we can first, and turn what the HDF5
// library says into one error that names the file and the fix.

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;
export type H5Group = InstanceType<typeof h5wasm.Group>;

// Importing h5wasm compiles and starts its WebAssembly HDF5 library: about 0.3 s of CPU. It is
// imported here, on first need, so a thread whose tasks never open a file through the HDF5
// library (a scan drover's own readers cover, a completion) never pays for it; once per thread.
let ready: Promise<typeof import("h5wasm/node")> | undefined;

/** h5wasm's module, loaded on the first call. */
export function loadHdf5Module(): Promise<typeof import("h5wasm/node")> {
  ready ??= import("h5wasm/node").then(async (m) => {
    const lib = await m.default.ready;
    // A failed read (a corrupt compressed chunk) otherwise only prints HDF5-DIAG on the process's
    // own stderr, where it cannot be caught, and returns the buffer unfilled: zeros taken for data.
    // With this handler every error the HDF5 library reports is thrown, with its stack as text.
    lib.activate_throwing_error_handler();
    return m;
  });
  return ready;
}

/** Whether this thread has asked for h5wasm yet (tests check that a task did not need it). */
export function hdf5Requested(): boolean {
  return ready !== undefined;
}

export async function loadHdf5(): Promise<typeof h5wasm> {
  return (await loadHdf5Module()).default;
}

/** h5wasm's module functions (the library's calls one by one), once loaded. */
export async function loadModule(): Promise<H5Calls> {
  return (await loadHdf5()).ready;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export type Sniffed =
  | { kind: "hdf5"; superblockAt: number; endOfFile: number | undefined }
  | { kind: "netcdf3" | "empty" | "unknown" };

/** The end-of-file address a superblock records (relative to its base address), if it can be read. */
function superblockEnd(fd: number, at: number, size: number): number | undefined {
  const head = Buffer.alloc(96);
  const n = readSync(fd, head, 0, Math.min(96, size - at), at);
  const version = head[8];
  const offsets = version === 0 || version === 1 ? head[13] : head[9];
  if (offsets !== 8 && offsets !== 4) return undefined;
  const word = (o: number) => (offsets === 8 ? Number(head.readBigUInt64LE(o)) : head.readUInt32LE(o));
  const baseAt = version === 0 ? 24 : version === 1 ? 28 : 12;
  const eofAt = baseAt + 2 * offsets;
  if (version === undefined || version > 3 || eofAt + offsets > n) return undefined;
  return word(baseAt) + word(eofAt);
}

/** What the first bytes of a file say it is, and for HDF5 the size its superblock expects. */
export function sniffFormat(path: string): Sniffed {
  const size = statSync(path).size;
  if (size === 0) return { kind: "empty" };
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(8);
    readSync(fd, head, 0, 8, 0);
    if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && [1, 2, 5].includes(head[3] ?? 0)) return { kind: "netcdf3" };
    // The superblock may sit at 0, 512, 1024, 2048… (a user block before it).
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      readSync(fd, head, 0, 8, at);
      if (HDF5_SIGNATURE.every((b, i) => head[i] === b)) return { kind: "hdf5", superblockAt: at, endOfFile: superblockEnd(fd, at, size) };
    }
    return { kind: "unknown" };
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `f` while collecting what the HDF5 library prints to stderr, so its diagnosis can go into
 * the error message instead of flooding the service's log.
 */
export function withDiagnostics<T>(f: () => T): { value: T } | { error: unknown; diagnostics: string } {
  const write = process.stderr.write;
  let captured = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: f() };
  } catch (error) {
    return { error, diagnostics: captured };
  } finally {
    process.stderr.write = write;
  }
}

/** The most specific line of an HDF5-DIAG stack: the last "#nnn: … in f(): what" entry's text. */
export function summariseDiagnostics(diag: string): string {
  const entries = [...diag.matchAll(/#\d+: .*? in ([A-Za-z0-9_]+)\(\): ([^\n]+)/g)];
  const last = entries.at(-1);
  return last ? (last[2] ?? "").trim() : "";
}

/** What went wrong, in a line: from the diagnostics printed, or from the stack the throwing handler put in the error. */
function diagnosisOf(r: { error: unknown; diagnostics: string }): string {
  const message = r.error instanceof Error ? r.error.message : String(r.error);
  return summariseDiagnostics(r.diagnostics) || summariseDiagnostics(message) || message;
}

/** Opens a netCDF4/HDF5 file for reading, or throws a SourceFormatError naming the file and the fix. */
export async function openHdf5(path: string): Promise<H5File> {
  return openHdf5Sync(await loadHdf5(), path);
}

/** As openHdf5, once the library is loaded (`await loadHdf5()`). */
export function openHdf5Sync(lib: typeof h5wasm, path: string): H5File {
  let kind: Sniffed;
  try {
    kind = sniffFormat(path);
  } catch (e) {
    throw sourceOpenError(path, e);
  }
  if (kind.kind === "hdf5" && kind.endOfFile !== undefined && kind.endOfFile > statSync(path).size) {
    throw new DroverError(
      "SourceFormatError",
      `${path}: truncated: the file has ${statSync(path).size} bytes but its HDF5 superblock says ${kind.endOfFile}; re-copy it from the archive`,
      { file: path },
    );
  }
  if (kind.kind === "empty") {
    throw new DroverError("SourceFormatError", `${path}: file is empty (0 bytes); re-copy it from the archive`, { file: path });
  }
  if (kind.kind === "netcdf3") {
    throw new DroverError(
      "SourceFormatError",
      `${path}: netCDF3 (classic) file; the h5wasm reader reads netCDF4/HDF5 only`,
      { file: path },
    );
  }
  if (kind.kind === "unknown") {
    throw new DroverError(
      "SourceFormatError",
      `${path}: not a netCDF4/HDF5 file (no HDF5 signature); it is corrupt or of another format`,
      { file: path },
    );
  }
  const r = withDiagnostics(() => new lib.File(path, "r"));
  if ("value" in r) return r.value;
  const why = diagnosisOf(r);
  throw new DroverError(
    "SourceFormatError",
    `${path}: the HDF5 library cannot open it: ${why}; the file is damaged or truncated, re-copy it from the archive`,
    { file: path, cause: r.error },
  );
}

/** Reads with h5wasm and turns a failure into a SourceFormatError naming the file and variable. */
export function readChecked<T>(path: string, variable: string, f: () => T): T {
  const r = withDiagnostics(f);
  if ("value" in r) return r.value;
  const why = diagnosisOf(r);
  throw new DroverError(
    "SourceFormatError",
    `${path}: cannot read variable ${variable}: ${why}; the file is damaged or truncated, re-copy it from the archive`,
    { file: path, variable, cause: r.error },
  );
}
