import type { DescribeOptions, FileInfo } from "../h5/describe.js";
import { H5FilePool } from "../h5/pool.js";
import type { NumericArray } from "../h5/read.js";
import { LruPool } from "../lru.js";
import { openReader, type SourceReader } from "../sources.js";
import { serveTasks } from "../tasks/task-thread.js";

// A thread of source-threads.ts: describes source files and reads boxes of them through h5wasm
// (or the netCDF3 reader), for the validator in the parent thread. It keeps its files open
// between requests: the parent sends each file's requests to the same thread.

/** What the parent asks of a source-reading thread. */
export interface SourceTaskInputs {
  /** Loads the HDF5 library now, before the first file arrives. */
  warm: Record<string, never>;
  describe: { path: string; briefExcept?: string[] | undefined };
  box: { path: string; varPath: string; start: number[]; stop: number[] };
  text: { path: string; varPath: string; start: number[]; stop: number[] };
}

export interface SourceTaskOutputs {
  warm: true;
  describe: FileInfo;
  box: NumericArray;
  text: string[];
}

/** Files kept open per thread (HDF5 handles and netCDF3 readers alike). */
const OPEN_FILES = 16;

let h5: Promise<H5FilePool> | undefined;
let readers: LruPool<SourceReader> | undefined;

const hdf5 = () => (h5 ??= H5FilePool.create(OPEN_FILES));

async function reader(path: string): Promise<SourceReader> {
  const pool = await hdf5();
  readers ??= new LruPool<SourceReader>(OPEN_FILES, (p) => openReader(p, pool), (r) => r.close());
  return readers.get(path);
}

const handlers: { [K in keyof SourceTaskInputs]: (input: SourceTaskInputs[K]) => Promise<SourceTaskOutputs[K]> } = {
  async warm() {
    await hdf5();
    return true;
  },
  async describe({ path, briefExcept }) {
    const options: DescribeOptions = briefExcept === undefined ? {} : { briefExcept: new Set(briefExcept) };
    return (await reader(path)).describe(options);
  },
  box: async ({ path, varPath, start, stop }) => (await reader(path)).box(varPath, start, stop),
  text: async ({ path, varPath, start, stop }) => (await reader(path)).text(varPath, start, stop),
};

serveTasks(handlers);
