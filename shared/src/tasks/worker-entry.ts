import { parentPort, workerData } from "node:worker_threads";
import { isDroverError, toErrorDetail } from "../errors.js";
import { tasks, type TaskName } from "./tasks.js";

// Runs one task in a worker thread, so h5wasm's CPU work never blocks a service's event loop
// (heartbeats, acknowledgements, other messages).

const { task, input } = workerData as { task: TaskName; input: never };
const port = parentPort;
if (!port) throw new Error("worker-entry must run in a worker thread");

let last = 0;
tasks[task](input, (done, total, unit, detail) => {
  const now = Date.now();
  if (done < total && now - last < 500) return;
  last = now;
  port.postMessage({ kind: "progress", done, total, unit, detail });
})
  .then((value) => port.postMessage({ kind: "result", value }))
  .catch((e: unknown) => {
    port.postMessage({ kind: "error", detail: toErrorDetail(e), reports: isDroverError(e) ? e.reports : {} });
  });
