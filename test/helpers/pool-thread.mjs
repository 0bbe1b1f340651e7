// A TaskPool thread for the tests (test/unit/task-pool.test.ts): drover's real tasks plus a few
// that misbehave on purpose. Runs the compiled code (shared/dist): worker threads cannot load
// TypeScript. The same end-of-task cleanup as the production thread (worker-entry.ts).
import { threadId } from "node:worker_threads";
import { DroverError } from "../../shared/dist/errors.js";
import { closeOpenSources } from "../../shared/dist/formats/byte-source.js";
import { hdf5Requested } from "../../shared/dist/h5/open.js";
import { serveTasks } from "../../shared/dist/tasks/task-thread.js";
import { tasks } from "../../shared/dist/tasks/tasks.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

serveTasks(
  {
    ...tasks,
    /** Which thread ran it, after `ms` milliseconds. */
    async whoami({ ms = 0 }) {
      await sleep(ms);
      return { threadId, hdf5: hdf5Requested() };
    },
    /** Reports progress `n` times, `every` ms apart. */
    async count({ n, every }, progress) {
      for (let i = 1; i <= n; i++) {
        progress(i, n, "steps");
        await sleep(every);
      }
      return n;
    },
    async fail() {
      throw new DroverError("SourceFormatError", "bad file", { file: "/x.nc", reports: { inventory: "/w/inventory.json" } });
    },
    /** Never answers: an uncaught exception kills the thread. */
    async crash() {
      setTimeout(() => {
        throw new Error("boom");
      }, 0);
      await sleep(60_000);
    },
    async exit({ code }) {
      process.exit(code);
    },
    async hang() {
      await sleep(600_000);
    },
    /** Keeps allocating until the thread's heap limit stops it. */
    async hog() {
      const kept = [];
      for (;;) {
        kept.push(new Array(1e6).fill(kept.length));
        if (kept.length % 50 === 0) await sleep(0);
      }
    },
  },
  closeOpenSources,
);
