import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TaskError, type TaskProgress } from "../../shared/src/tasks/task-error.js";
import { TaskPool } from "../../shared/src/tasks/task-pool.js";
import { POOL_THREAD } from "../helpers/pool.js";

// The pool's own behaviour, with a thread (test/helpers/pool-thread.mjs) whose tasks misbehave on
// purpose. The thread runs the compiled code: build first (npm test does).

interface In {
  whoami: { ms?: number };
  count: { n: number; every: number };
  fail: Record<string, never>;
  crash: Record<string, never>;
  exit: { code: number };
  hang: Record<string, never>;
  hog: Record<string, never>;
}
interface Out {
  whoami: { threadId: number; hdf5: boolean };
  count: number;
  fail: never;
  crash: never;
  exit: never;
  hang: never;
  hog: never;
}

const pools: Array<TaskPool<In, Out>> = [];
const pool = (size = 1, timeoutSeconds = 600) => {
  const p = new TaskPool<In, Out>({ size, timeoutSeconds, entry: POOL_THREAD });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const failure = async (p: Promise<unknown>): Promise<TaskError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TaskError);
  return e as TaskError;
};

describe("a pool of warm task threads", () => {
  it("runs task after task on the same thread", async () => {
    const p = pool();
    const ids = new Set<number>();
    for (let i = 0; i < 5; i++) ids.add((await p.run("whoami", {})).threadId);
    expect(ids.size).toBe(1);
    expect(p.threadsStarted).toBe(1);
  });

  it("runs one task at a time per thread, up to its size in parallel", async () => {
    const one = pool(1);
    const [a, b] = await Promise.all([one.run("whoami", { ms: 100 }), one.run("whoami", { ms: 100 })]);
    expect(a.threadId).toBe(b.threadId);
    const two = pool(2);
    const [c, d] = await Promise.all([two.run("whoami", { ms: 300 }), two.run("whoami", { ms: 300 })]);
    expect(c.threadId).not.toBe(d.threadId);
    expect(two.threadsStarted).toBe(2);
  });

  it("passes progress on, at most twice a second and always the last", async () => {
    const seen: TaskProgress[] = [];
    expect(await pool().run("count", { n: 30, every: 40 }, (m) => seen.push(m))).toBe(30);
    // 30 steps over ≥ 1.2 s: none in the first 500 ms, about one per 500 ms after, and the completed count.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(2 + Math.ceil(1.2 / 0.5) + 2);
    expect(seen.at(-1)).toEqual({ done: 30, total: 30, unit: "steps" });
  });

  it("sends no progress for a task that ends within the first half second: its result says it all", async () => {
    const seen: TaskProgress[] = [];
    expect(await pool().run("count", { n: 5, every: 10 }, (m) => seen.push(m))).toBe(5);
    expect(seen).toEqual([]);
  });

  it("fails a task with the error and reports it threw, and keeps the thread", async () => {
    const p = pool();
    const e = await failure(p.run("fail", {}));
    expect(e).toMatchObject({ kind: "SourceFormatError", permanent: true, file: "/x.nc", reports: { inventory: "/w/inventory.json" } });
    await p.run("whoami", {});
    expect(p.threadsStarted).toBe(1);
  });

  it("stops a task that overruns its time budget and replaces its thread", async () => {
    const p = pool(1, 0.5);
    // Only the hang runs on the pool's short budget: a thread's first task also pays for starting
    // the thread, which takes longer than 0.5 s on a busy machine.
    const roomy = { timeoutSeconds: 60 };
    const first = (await p.run("whoami", {}, () => {}, roomy)).threadId;
    const e = await failure(p.run("hang", {}));
    expect(e).toMatchObject({ kind: "TransientError", permanent: false });
    expect(e.message).toMatch(/no result after 0\.5 s; the thread was stopped/);
    const next = (await p.run("whoami", {}, () => {}, roomy)).threadId;
    expect(next).not.toBe(first);
    expect(p.threadsStarted).toBe(2);
  });

  it("gives one task its own time budget (a project's config.budget)", async () => {
    const p = pool(1, 600);
    const e = await failure(p.run("hang", {}, () => {}, { timeoutSeconds: 0.4 }));
    expect(e.message).toMatch(/no result after 0\.4 s; the thread was stopped \(raise the project's time budget: 'drover retry <group>\/<project> --set time=2h'/);
    expect((await p.run("whoami", {})).threadId).toBeGreaterThan(0);
  });

  it("runs a task with a memory budget on a thread of its own, and fails it as transient when it runs out", async () => {
    const p = pool(1, 600);
    const warm = (await p.run("whoami", {})).threadId;
    const own = (await p.run("whoami", {}, () => {}, { memoryMb: 256 })).threadId;
    expect(own).not.toBe(warm);
    const e = await failure(p.run("hog", {}, () => {}, { memoryMb: 64 }));
    expect(e).toMatchObject({ kind: "TransientError", permanent: false });
    expect(e.message).toMatch(/the hog task ran out of its memory budget of 64 MB/);
    // The pool carries on with an ordinary thread, never more than its size at once.
    expect((await p.run("whoami", {})).threadId).toBeGreaterThan(0);
  });

  it("fails the task of a thread that crashes or exits, and replaces the thread", async () => {
    const p = pool();
    const crashed = await failure(p.run("crash", {}));
    expect(crashed).toMatchObject({ kind: "ComputeError", permanent: true });
    expect(crashed.message).toMatch(/the crash worker thread crashed: boom/);
    const exited = await failure(p.run("exit", { code: 3 }));
    expect(exited.message).toMatch(/the exit worker thread exited with code 3 before finishing/);
    await p.run("whoami", {});
    expect(p.threadsStarted).toBe(3);
  });

  it("fails the tasks it holds when closed, and refuses new ones", async () => {
    const p = pool(1);
    const running = failure(p.run("hang", {}));
    const waiting = failure(p.run("whoami", {}));
    await p.close();
    expect((await running).message).toMatch(/the hang task was stopped: the task pool was closed/);
    expect((await waiting).message).toMatch(/did not start: the task pool was closed/);
    expect(await failure(p.run("whoami", {}))).toMatchObject({ kind: "TransientError", permanent: false });
  });

  it("refuses a size or time budget no pool can have", () => {
    expect(() => new TaskPool({ size: 0, timeoutSeconds: 1 })).toThrow(/whole number of threads ≥ 1/);
    expect(() => new TaskPool({ size: 1, timeoutSeconds: 0 })).toThrow(/time budget/);
  });

  it("does not keep the process alive when idle", () => {
    // A script that runs one task and never closes its pool must still end by itself.
    const script = `
      const { TaskPool } = await import(${JSON.stringify(new URL("../../shared/dist/tasks/task-pool.js", import.meta.url).href)});
      const p = new TaskPool({ size: 2, timeoutSeconds: 60, entry: new URL(${JSON.stringify(POOL_THREAD.href)}) });
      const r = await p.run("whoami", { ms: 200 });
      console.log("ran on thread " + r.threadId);
    `;
    const file = join(mkdtempSync(join(tmpdir(), "drover-pool-")), "idle.mjs");
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ran on thread \d+/);
  });
});
