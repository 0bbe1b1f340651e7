import { isDroverError, toErrorDetail, type ErrorDetail } from "../errors.js";
import type { FileInfo } from "../h5/describe.js";
import { H5FilePool } from "../h5/pool.js";
import type { NumericArray } from "../h5/read.js";
import { LruPool } from "../lru.js";
import { readerPool, type SourceReader } from "../sources.js";
import { serveTasks } from "../tasks/task-thread.js";
import { describeOptionsFor, type DescribeRequest } from "./validation-sources.js";

// A thread of source-threads.ts: describes source files and reads boxes of them through h5wasm
// (or the netCDF3 reader), for the validator in the parent thread. It keeps its files open
// between requests: the parent sends each file's requests to the same thread.

/** What the parent asks of a source-reading thread. */
export interface SourceTaskInputs {
  /**
   * Describes several files in one request: the thread goes from one to the next without waiting
   * for the parent, whose thread may be busy (a scan) and slow to answer each message.
   */
  describe: { files: Array<{ path: string; request: DescribeRequest }> };
  box: { path: string; varPath: string; start: number[]; stop: number[] };
  text: { path: string; varPath: string; start: number[]; stop: number[] };
}

export interface SourceTaskOutputs {
  /** In the order of `files`: each file's description, or why it could not be described. */
  describe: DescribeResult[];
  box: NumericArray;
  text: string[];
}

export type DescribeResult = { info: FileInfo } | { error: ErrorDetail; reports: Record<string, string> };

/** Files kept open per thread (HDF5 handles and netCDF3 readers alike). */
const OPEN_FILES = 16;

let h5: Promise<H5FilePool> | undefined;
let readers: LruPool<SourceReader> | undefined;

const hdf5 = () => (h5 ??= H5FilePool.create(OPEN_FILES));
const optionsFor = describeOptionsFor(async (path) => (await reader(path)).describe({}));

async function reader(path: string): Promise<SourceReader> {
  const pool = await hdf5();
  readers ??= readerPool(pool, OPEN_FILES);
  return readers.get(path);
}

const handlers: { [K in keyof SourceTaskInputs]: (input: SourceTaskInputs[K]) => Promise<SourceTaskOutputs[K]> } = {
  async describe({ files }) {
    const results: DescribeResult[] = [];
    for (const { path, request } of files) {
      try {
        results.push({ info: await (await reader(path)).describe(await optionsFor(request)) });
      } catch (e) {
        results.push({ error: toErrorDetail(e), reports: isDroverError(e) ? e.reports : {} });
      }
    }
    return results;
  },
  box: async ({ path, varPath, start, stop }) => (await reader(path)).box(varPath, start, stop),
  text: async ({ path, varPath, start, stop }) => (await reader(path)).text(varPath, start, stop),
};

serveTasks(handlers);
