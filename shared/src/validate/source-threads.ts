import type { FileInfo } from "../h5/describe.js";
import { TaskError } from "../tasks/task-error.js";
import { DEFAULT_TASK_TIMEOUT_S, TaskPool } from "../tasks/task-pool.js";
import type { SourceTaskInputs, SourceTaskOutputs } from "./source-thread.js";
import type { DescribeRequest, SourceOpener } from "./validation-sources.js";

// The validator's sources read in worker threads, each loading h5wasm once: a one-shot command
// describes and reads its sources on every core while its own thread scans, builds and compares.
// Every request about one file goes to the same thread (files are dealt to the threads in turn as
// they are first seen), which keeps it open. The files asked to be described in one go (as
// describeSources does) go to each thread in one message: a thread then describes them one after
// another even while this thread is busy (scanning) and would be slow to send the next request.

export interface SourceThreads {
  open: SourceOpener;
  /** Stops the threads (requests still waiting fail). */
  close(): Promise<void>;
}

export interface SourceThreadOptions {
  threads: number;
  /** The threads' script (tests give the compiled one); default: source-thread.js beside this module. */
  entry?: URL;
  timeoutSeconds?: number;
}

type Pool = TaskPool<SourceTaskInputs, SourceTaskOutputs>;

interface Waiting {
  path: string;
  request: DescribeRequest;
  resolve: (info: FileInfo) => void;
  reject: (e: unknown) => void;
}

/** Describes files through their threads: one request a thread for all the files asked for before this thread next waits. */
function describeInBatches(): (pool: Pool, path: string, request: DescribeRequest) => Promise<FileInfo> {
  const batches = new Map<Pool, Waiting[]>();
  const send = () => {
    for (const [pool, waiting] of batches) {
      pool.run("describe", { files: waiting.map(({ path, request }) => ({ path, request })) }).then(
        (results) =>
          waiting.forEach((w, i) => {
            const r = results[i];
            if (r && "info" in r) w.resolve(r.info);
            else w.reject(r ? new TaskError(r.error, r.reports) : new Error(`internal: no description of ${w.path} in the thread's answer`));
          }),
        (e: unknown) => waiting.forEach((w) => w.reject(e)),
      );
    }
    batches.clear();
  };
  return (pool, path, request) =>
    new Promise<FileInfo>((resolve, reject) => {
      if (batches.size === 0) queueMicrotask(send);
      const waiting = batches.get(pool) ?? [];
      batches.set(pool, waiting);
      waiting.push({ path, request, resolve, reject });
    });
}

export function startSourceThreads(options: SourceThreadOptions): SourceThreads {
  const entry = options.entry ?? new URL("./source-thread.js", import.meta.url);
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_S;
  const pools: Pool[] = Array.from({ length: options.threads }, () => new TaskPool<SourceTaskInputs, SourceTaskOutputs>({ size: 1, timeoutSeconds, entry }));
  const assigned = new Map<string, Pool>();
  const describe = describeInBatches();
  let next = 0;
  const poolFor = (path: string) => {
    let pool = assigned.get(path);
    if (!pool) {
      pool = pools[next++ % pools.length] as Pool;
      assigned.set(path, pool);
    }
    return pool;
  };
  return {
    async open(path, request) {
      const pool = poolFor(path);
      return {
        info: await describe(pool, path, request),
        box: (varPath, start, stop) => pool.run("box", { path, varPath, start, stop }),
        text: (varPath, start, stop) => pool.run("text", { path, varPath, start, stop }),
        describeFully: () => describe(pool, path, { full: true }),
      };
    },
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}
