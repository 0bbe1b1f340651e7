import { Worker } from "node:worker_threads";
import { DroverError, type ErrorDetail } from "../errors.js";
import type { TaskInputs, TaskName, TaskOutputs } from "./tasks.js";

export interface TaskProgress {
  done: number;
  total: number;
  unit: string;
  detail?: string;
}

/** A failed task: its error detail and any reports it wrote before failing. */
export class TaskError extends DroverError {
  constructor(
    readonly detail: ErrorDetail,
    reports: Record<string, string>,
  ) {
    super(detail.kind as ErrorDetail["kind"], detail.message, {
      reports,
      permanent: detail.permanent,
      ...(detail.file ? { file: detail.file } : {}),
      ...(detail.variable ? { variable: detail.variable } : {}),
    });
  }
}

/** Runs a task in its own worker thread; progress arrives at most twice a second. */
export function runTask<K extends TaskName>(task: K, input: TaskInputs[K], onProgress: (p: TaskProgress) => void = () => {}): Promise<TaskOutputs[K]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-entry.js", import.meta.url), { workerData: { task, input } });
    let settled = false;
    worker.on("message", (m: { kind: string } & Record<string, unknown>) => {
      if (m.kind === "progress") onProgress(m as unknown as TaskProgress);
      else if (m.kind === "result") {
        settled = true;
        resolve(m["value"] as TaskOutputs[K]);
      } else if (m.kind === "error") {
        settled = true;
        reject(new TaskError(m["detail"] as ErrorDetail, (m["reports"] as Record<string, string>) ?? {}));
      }
    });
    worker.on("error", (e) => {
      if (settled) return;
      settled = true;
      reject(new TaskError({ kind: "ComputeError", message: `the ${task} worker thread crashed: ${e.message}`, permanent: true }, {}));
    });
    worker.on("exit", (code) => {
      if (settled) return;
      settled = true;
      reject(new TaskError({ kind: "ComputeError", message: `the ${task} worker thread exited with code ${code} before finishing`, permanent: true }, {}));
    });
  });
}
