import { DEFAULT_TASK_TIMEOUT_S, TaskPool } from "../tasks/task-pool.js";
import type { SourceTaskInputs, SourceTaskOutputs } from "./source-thread.js";
import type { SourceOpener } from "./validation-sources.js";

// The validator's sources read in worker threads, each loading h5wasm once: a one-shot command
// describes and reads its sources on every core while its own thread scans, builds and compares.
// Every request about one file goes to the same thread (files are dealt to the threads in turn as
// they are first seen), which keeps it open.

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

export function startSourceThreads(options: SourceThreadOptions): SourceThreads {
  const entry = options.entry ?? new URL("./source-thread.js", import.meta.url);
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_S;
  const pools = Array.from({ length: options.threads }, () => new TaskPool<SourceTaskInputs, SourceTaskOutputs>({ size: 1, timeoutSeconds, entry }));
  // Each thread starts at once and loads the HDF5 library while the first file is described.
  for (const p of pools) p.run("warm", {}).catch(() => {}); // a thread that cannot start fails the requests that follow
  const assigned = new Map<string, TaskPool<SourceTaskInputs, SourceTaskOutputs>>();
  let next = 0;
  const poolFor = (path: string) => {
    let pool = assigned.get(path);
    if (!pool) {
      pool = pools[next++ % pools.length] as TaskPool<SourceTaskInputs, SourceTaskOutputs>;
      assigned.set(path, pool);
    }
    return pool;
  };
  return {
    async open(path, options) {
      const pool = poolFor(path);
      const briefExcept = options.briefExcept ? [...options.briefExcept] : undefined;
      return {
        info: await pool.run("describe", { path, briefExcept }),
        box: (varPath, start, stop) => pool.run("box", { path, varPath, start, stop }),
        text: (varPath, start, stop) => pool.run("text", { path, varPath, start, stop }),
        describeFully: () => pool.run("describe", { path, briefExcept: undefined }),
      };
    },
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}
