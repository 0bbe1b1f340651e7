import { Worker } from "node:worker_threads";
import type { ErrorDetail } from "../errors.js";
import { TaskError, type TaskProgress } from "./task-error.js";
import type { RunRequest, ThreadReply } from "./task-thread.js";
import type { TaskInputs, TaskOutputs } from "./tasks.js";

// Warm worker threads for the phases' tasks. A new thread per task loads the module graph (and
// h5wasm) again: about 0.3–0.4 s of CPU, when a one-file project's work takes 2–22 ms. Threads
// here start on first need and are reused, one task at a time each; a thread that crashes,
// exits or overruns its time budget is dropped and a new one starts when a task needs it (not
// at once: a thread that cannot start would otherwise be restarted in a loop).

/** A task's time budget when nothing else is configured (DROVER_TASK_TIMEOUT). */
export const DEFAULT_TASK_TIMEOUT_S = 3600;

/** setTimeout's longest delay (about 24.8 days). */
export const MAX_TASK_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

export interface TaskPoolOptions {
  /** Threads, each running one task at a time; tasks beyond that wait their turn. */
  size: number;
  /** Seconds a task may run before its thread is stopped and the task fails. */
  timeoutSeconds: number;
  /** The threads' script: a module calling serveTasks (tests give their own). */
  entry?: URL;
}

/** One task's own budget (a project's config.budget): overrides the pool's time budget; a memory budget runs the task on a thread of its own. */
export interface TaskLimits {
  timeoutSeconds?: number | undefined;
  memoryMb?: number | undefined;
}

interface Job {
  id: number;
  task: string;
  input: unknown;
  limits: TaskLimits;
  onProgress: (p: TaskProgress) => void;
  resolve: (value: unknown) => void;
  reject: (e: TaskError) => void;
}

interface Thread {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Started for one task with a memory budget; stopped when it ends. */
  dedicated: boolean;
}

/** Throws on a size or time budget no pool can have (configuration is checked before this, by its schema). */
export function checkPoolOptions(options: TaskPoolOptions): void {
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`a task pool needs a whole number of threads ≥ 1, not ${options.size}`);
  if (!(options.timeoutSeconds > 0 && options.timeoutSeconds <= MAX_TASK_TIMEOUT_S)) {
    throw new Error(`a task's time budget must be more than 0 and at most ${MAX_TASK_TIMEOUT_S} s, not ${options.timeoutSeconds}`);
  }
}

const failure = (kind: ErrorDetail["kind"], message: string, permanent: boolean) => new TaskError({ kind, message, permanent }, {});

export class TaskPool<In = TaskInputs, Out = TaskOutputs> {
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private readonly entry: URL;
  private nextId = 1;
  private started = 0;
  private closed = false;

  constructor(private readonly options: TaskPoolOptions) {
    checkPoolOptions(options);
    this.entry = options.entry ?? new URL("./worker-entry.js", import.meta.url);
  }

  /** Threads started so far, replacements included (a warm pool starts `size` and no more). */
  get threadsStarted(): number {
    return this.started;
  }

  /** Runs a task on the next free thread; progress arrives at most twice a second. */
  run<K extends keyof In & keyof Out & string>(task: K, input: In[K], onProgress: (p: TaskProgress) => void = () => {}, limits: TaskLimits = {}): Promise<Out[K]> {
    if (this.closed) return Promise.reject(failure("TransientError", `cannot run the ${task} task: the task pool is closed (the service is stopping)`, false));
    return new Promise<Out[K]>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, input, limits, onProgress, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stops every thread; running and waiting tasks fail as transient (another copy may retry them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(failure("TransientError", `the ${job.task} task did not start: the task pool was closed`, false));
    const stopping = [...this.threads].map((t) => this.drop(t, failure("TransientError", `the ${t.job?.task ?? ""} task was stopped: the task pool was closed`, false)));
    await Promise.all(stopping);
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const next = this.queue[0] as Job;
      const busy = [...this.threads].filter((t) => t.job !== undefined).length;
      // A task with a memory budget gets a thread of its own, within the pool's size.
      if (next.limits.memoryMb !== undefined) {
        if (busy >= this.options.size) return;
        const idle = [...this.threads].find((t) => t.job === undefined && !t.dedicated);
        if (idle && this.threads.size >= this.options.size) void this.retire(idle);
        this.assign(this.start(next.limits.memoryMb), this.queue.shift() as Job);
        continue;
      }
      let thread = [...this.threads].find((t) => t.job === undefined && !t.dedicated);
      if (!thread && this.threads.size < this.options.size) thread = this.start();
      if (!thread) return;
      this.assign(thread, this.queue.shift() as Job);
    }
  }

  private start(memoryMb?: number): Thread {
    const worker = new Worker(this.entry, memoryMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    const thread: Thread = { worker, job: undefined, timer: undefined, dedicated: memoryMb !== undefined };
    this.threads.add(thread);
    this.started++;
    worker.unref(); // an idle pool never keeps the process alive
    worker.on("message", (m: ThreadReply) => this.receive(thread, m));
    worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") {
        const budget = memoryMb === undefined ? "the thread's memory" : `its memory budget of ${memoryMb} MB`;
        void this.drop(thread, failure("TransientError", `the ${thread.job?.task ?? ""} task ran out of ${budget}; give it more ('drover retry <group>/<project> --set memory=4G', or the shepherd's escalation)`, false));
        return;
      }
      void this.drop(thread, failure("ComputeError", `the ${thread.job?.task ?? ""} worker thread crashed: ${e.message}`, true));
    });
    worker.on("exit", (code) => {
      void this.drop(thread, failure("ComputeError", `the ${thread.job?.task ?? ""} worker thread exited with code ${code} before finishing`, true));
    });
    return thread;
  }

  private assign(thread: Thread, job: Job): void {
    thread.job = job;
    thread.worker.ref(); // a running task keeps the process alive until it answers
    const own = job.limits.timeoutSeconds;
    const seconds = Math.min(own ?? this.options.timeoutSeconds, MAX_TASK_TIMEOUT_S);
    const raise = own === undefined ? "raise DROVER_TASK_TIMEOUT" : "raise the project's time budget: 'drover retry <group>/<project> --set time=2h'";
    thread.timer = setTimeout(() => {
      void this.drop(thread, failure("TransientError", `the ${job.task} task gave no result after ${seconds} s; the thread was stopped (${raise} if it needs longer)`, false));
    }, seconds * 1000);
    thread.timer.unref();
    const request: RunRequest = { kind: "run", id: job.id, task: job.task, input: job.input };
    try {
      thread.worker.postMessage(request);
    } catch (e) {
      // Input that cannot be copied to a thread (a function, a class instance): the caller's bug.
      this.settle(thread);
      job.reject(failure("ComputeError", `cannot send the ${job.task} task to a worker thread: ${(e as Error).message}`, true));
      this.dispatch();
    }
  }

  private receive(thread: Thread, m: ThreadReply): void {
    const job = thread.job;
    if (!job || m.id !== job.id) return; // a late message from a task already given up on
    if (m.kind === "progress") {
      try {
        job.onProgress({ done: m.done, total: m.total, unit: m.unit, ...(m.detail === undefined ? {} : { detail: m.detail }) });
      } catch {
        // a failing progress listener must not fail the task
      }
      return;
    }
    this.settle(thread);
    if (thread.dedicated) void this.retire(thread);
    if (m.kind === "result") job.resolve(m.value);
    else job.reject(new TaskError(m.detail, m.reports ?? {}));
    this.dispatch();
  }

  /** Stops an idle thread that is no longer wanted (a dedicated one after its task, or to make room for one). */
  private async retire(thread: Thread): Promise<void> {
    if (!this.threads.delete(thread)) return;
    this.settle(thread);
    await thread.worker.terminate();
  }

  /** The thread is free again. */
  private settle(thread: Thread): void {
    clearTimeout(thread.timer);
    thread.timer = undefined;
    thread.job = undefined;
    thread.worker.unref();
  }

  /** Takes a thread out of the pool for good, failing its task (if any) with `why`. */
  private async drop(thread: Thread, why: TaskError): Promise<void> {
    if (!this.threads.delete(thread)) return;
    const job = thread.job;
    this.settle(thread);
    job?.reject(why);
    this.dispatch(); // starts a replacement if tasks are waiting
    await thread.worker.terminate();
  }
}
