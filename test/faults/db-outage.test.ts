import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isActive, listDeadLetters, listProjects, openCouchStore, readGroup, writeSeries, type DocStore, type ProjectState } from "@drover/shared";
import { ROOT, runCli, startService, type Running } from "../helpers/processes.js";
import { eventually, isolate, serviceEnv, servicesAvailable } from "../helpers/services.js";
import { tinySeries } from "../helpers/series.js";
import { waitFor, within } from "../helpers/wait.js";

// Fault injection: the database goes away for a minute in the middle of a 40-project group (its
// own pouchdb-server, so no other test is disturbed). Before the broker's retry queues, a 30 s
// outage left 10 of 30 projects stuck for good. Every project must complete, once.

const available = await servicesAvailable();
const POUCH = join(ROOT, "scripts", "pouchdb", "node_modules", ".bin", "pouchdb-server");
const PROJECTS = 40;
const OUTAGE_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!available)("a database outage of a minute in the middle of a group", () => {
  const iso = isolate("fault-db");
  const home = mkdtempSync(join(tmpdir(), "drover-fault-db-"));
  const data = join(home, "data");
  const dbDir = join(home, "couch");
  let port = 0;
  let url = "";
  let db: ChildProcess | undefined;
  let services: Running[] = [];
  let store: DocStore;
  let env: Record<string, string> = {};

  const startDb = async () => {
    db = spawn(POUCH, ["-p", String(port), "-o", "127.0.0.1", "-d", dbDir, "-n"], { cwd: dbDir, stdio: "ignore" });
    await eventually("the test's own database to answer", async () => ((await fetch(url).then((r) => r.ok).catch(() => false)) ? true : undefined));
  };
  const stopDb = async () => {
    const p = db;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await within(gone, 10_000);
  };

  beforeAll(async () => {
    if (!existsSync(POUCH)) throw new Error(`${POUCH} is missing: 'npm run stack:start' installs the embedded pouchdb-server`);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    mkdirSync(dbDir, { recursive: true });
    await startDb();
    env = serviceEnv(iso, home, data, { COUCHDB_URL: url });
    const lines = ["project_code,pattern"];
    for (let i = 0; i < PROJECTS; i++) {
      const code = `p${String(i).padStart(2, "0")}`;
      const files = await writeSeries(join(data, code), code, tinySeries({ steps: [1, 1] }), i + 1);
      lines.push(`${code},${join(data, code, "*.nc")}`);
      expect(files).toHaveLength(2);
    }
    writeFileSync(join(home, "outage.csv"), `${lines.join("\n")}\n`);
    services = ["state-tracker", "scanner", "computer", "validator", "completion"].map((s) => startService(s, env));
    await Promise.all(services.map((r) => r.ready()));
    store = await openCouchStore(url, iso.db);
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of services) console.log(`--- ${r.name}\n${r.output()}`);
    await Promise.all(services.map((r) => r.stop()));
    await iso.cleanup().catch(() => undefined);
    await stopDb();
    rmSync(home, { recursive: true, force: true });
  });

  it("rides it out: every project completes with one product, nothing is parked", async () => {
    const launched = await runCli(["launch", join(home, "outage.csv"), "--group", "outage"], env);
    expect(launched.code, launched.stderr).toBe(0);
    // Cut the database while work is in flight: some projects done with a phase, some not.
    await eventually("some projects to be under way", async () => {
      const ps = await listProjects(store, "outage");
      return ps.filter((p) => p.state !== "Registered" && !isActive(p.state as ProjectState)).length >= 3 ? true : undefined;
    }, undefined, 20);
    await stopDb();
    await new Promise((r) => setTimeout(r, OUTAGE_MS)); // the fault itself: a minute without a database
    for (const s of services) expect(s.alive(), `${s.name} survived the outage`).toBe(true);
    await startDb();
    store = await openCouchStore(url, iso.db);
    const g = await waitFor("the group to complete after the outage", async () => {
      const d = await readGroup(store, "group:outage").catch(() => undefined);
      return d && (d.state === "Completed" || d.state === "Incomplete") ? d : undefined;
    }, { every: 1000, processes: services });
    const projects = await listProjects(store, "outage");
    const stuck = projects.filter((p) => p.state !== "Completed").map((p) => `${p.code}: ${p.state} ${p.lastError?.message ?? ""}`);
    expect(stuck, "projects that did not complete").toEqual([]);
    expect(g.state).toBe("Completed");
    expect(projects).toHaveLength(PROJECTS);
    for (const p of projects) expect(p.history.filter((h) => h.to === "Completed"), p.code).toHaveLength(1);
    const published = readdirSync(join(home, "complete", "outage", "data"));
    expect(published).toHaveLength(PROJECTS);
    expect(await listDeadLetters(store)).toEqual([]);
  });
});
