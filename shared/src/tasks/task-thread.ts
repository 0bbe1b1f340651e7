import { parentPort } from "node:worker_threads";
import { isDroverError, toErrorDetail, type ErrorDetail } from "../errors.js";
import type { Progress } from "../scan/scan-project.js";

// The thread side of a TaskPool: a warm worker thread that runs one task after another, so the
// module graph (and h5wasm, for the tasks that need it) loads once per thread, not once per task.

/** What a thread can run: task name → function of plain (structured-clonable) data. */
export type TaskHandlers = Record<string, (input: never, progress: Progress) => Promise<unknown>>;

export interface RunRequest {
  kind: "run";
  id: number;
  task: string;
  input: unknown;
}

export type ThreadReply =
  | { kind: "progress"; id: number; done: number; total: number; unit: string; detail?: string | undefined }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "error"; id: number; detail: ErrorDetail; reports: Record<string, string> };

/** Progress goes out at most twice a second (and always when a count completes). */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Answers RunRequests from the parent thread, one at a time. `afterEach` runs after every task,
 * before its answer is sent: what a task left open must not outlive it in a thread that stays.
 */
export function serveTasks(handlers: TaskHandlers, afterEach: () => void = () => {}): void {
  const port = parentPort;
  if (!port) throw new Error("serveTasks must run in a worker thread (see TaskPool)");
  const reply = (m: ThreadReply) => port.postMessage(m);

  const runOne = async ({ id, task, input }: RunRequest): Promise<void> => {
    // Nothing in a task's first interval: a task that ends within it (most scans and computes of
    // a file or two) reports its result at once, and a progress message then tells no one
    // anything but costs a publish and two log lines. After it, at most one an interval, and the last.
    const started = Date.now();
    let last = started;
    const progress: Progress = (done, total, unit, detail) => {
      const now = Date.now();
      if (now - started < PROGRESS_INTERVAL_MS) return;
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      reply({ kind: "progress", id, done, total, unit, detail });
    };
    let answer: ThreadReply;
    try {
      const handler = handlers[task];
      if (!handler) throw new Error(`no task called "${task}" (tasks: ${Object.keys(handlers).join(", ")})`);
      answer = { kind: "result", id, value: await handler(input as never, progress) };
    } catch (e) {
      answer = { kind: "error", id, detail: toErrorDetail(e), reports: isDroverError(e) ? e.reports : {} };
    }
    afterEach(); // if cleaning up fails, the thread dies and the pool replaces it
    reply(answer);
  };

  // The pool sends one task at a time; chaining keeps that true even if a caller does not.
  let queue = Promise.resolve();
  port.on("message", (m: RunRequest) => {
    if (m?.kind === "run") queue = queue.then(() => runOne(m));
  });
}
