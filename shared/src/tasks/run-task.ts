import { checkPoolOptions, DEFAULT_TASK_TIMEOUT_S, TaskPool, type TaskLimits, type TaskPoolOptions } from "./task-pool.js";
import type { TaskProgress } from "./task-error.js";
import type { TaskInputs, TaskName, TaskOutputs } from "./tasks.js";

export { TaskError, type TaskProgress } from "./task-error.js";

// The process's shared task pool, made on the first runTask. Services size it from their
// configuration at boot (configureTasks) and close it when they stop (closeTasks); tests and
// one-shot commands get one thread and the default time budget.

let options: TaskPoolOptions = { size: 1, timeoutSeconds: DEFAULT_TASK_TIMEOUT_S };
let pool: TaskPool | undefined;

/** Sets the size and time budget of the pool runTask uses; call before the first task. */
export function configureTasks(next: TaskPoolOptions): void {
  if (pool) throw new Error("configureTasks must come before the first runTask (the task pool is already running)");
  checkPoolOptions(next);
  options = next;
}

/** Runs a task on a warm worker thread; progress arrives at most twice a second. */
export function runTask<K extends TaskName>(task: K, input: TaskInputs[K], onProgress: (p: TaskProgress) => void = () => {}, limits: TaskLimits = {}): Promise<TaskOutputs[K]> {
  pool ??= new TaskPool(options);
  return pool.run(task, input, onProgress, limits);
}

/** Stops the pool's threads (a later runTask starts a new pool). */
export async function closeTasks(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}
