import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listProjects, openCouchStore, writeDemoGroup, type DocStore } from "@drover/shared";
import { runCli, startService, type Running } from "../helpers/processes.js";
import { COUCHDB_URL, eventually, isolate, serviceEnv, servicesAvailable } from "../helpers/services.js";
import { Signal, waitFor } from "../helpers/wait.js";

// SIGTERM to a worker in the middle of a task: it takes nothing new, finishes the task within
// its grace or hands it back, closes and exits 0, promptly; every task is done once.

const available = await servicesAvailable();

describe.skipIf(!available)("a worker stopped mid-task", () => {
  const iso = isolate("shutdown");
  const home = mkdtempSync(join(tmpdir(), "drover-shutdown-"));
  const data = join(home, "data");
  const env = serviceEnv(iso, home, data, { DROVER_STOP_GRACE: "5" });
  const running: Running[] = [];
  let store: DocStore;
  let sample: Awaited<ReturnType<typeof writeDemoGroup>>;

  beforeAll(async () => {
    sample = await writeDemoGroup(data);
    running.push(startService("state-tracker", env));
    store = await openCouchStore(COUCHDB_URL, iso.db);
    await Promise.all(running.map((r) => r.ready()));
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of running) console.log(`--- ${r.name}\n${r.output()}`);
    await Promise.all(running.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("finishes or hands back its task, exits 0 within its grace, and the task is done once", async () => {
    const launched = await runCli(["launch", sample.groupFile, "--group", "s"], env);
    expect(launched.code, launched.stderr).toBe(0);
    const first = startService("scanner", env);
    running.push(first);
    const out = new Signal();
    first.proc.stdout?.on("data", () => out.notify());
    await waitFor("the first scan to start", () => (/scan started/.test(first.output()) ? true : undefined), { signal: out, processes: [first] });
    const t0 = Date.now();
    first.proc.kill("SIGTERM");
    await first.exited;
    const took = Date.now() - t0;
    expect(first.proc.exitCode, first.output()).toBe(0);
    expect(took).toBeLessThan(5000 + 3000);
    expect(first.output()).toMatch(/scanner stopped/);
    console.log(`scanner exited ${took} ms after SIGTERM; ${/went back to their queues/.test(first.output()) ? "it handed its task back" : "it finished its task"}`);

    // Another copy takes whatever is left (the rest of the queue, and a task handed back).
    const second = startService("scanner", env);
    running.push(second);
    const projects = await eventually("every project scanned", async () => {
      const all = await listProjects(store, "s");
      return all.length === Object.keys(sample.projects).length && all.every((p) => p.phases.scan?.status === "succeeded") ? all : undefined;
    });
    for (const p of projects) {
      expect(p.phases.scan?.attempts, p.code).toBe(1);
      expect(p.history.filter((h) => h.to === "Scanned"), p.code).toHaveLength(1);
    }
  });
});
