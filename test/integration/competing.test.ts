import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectBus, listProjects, openCouchStore, silentLogger, writeFileAtomic, writeSeries, type Bus, type DocStore } from "@drover/shared";
import { runCli, startService, type Running } from "../helpers/processes.js";
import { AMQP_URL, COUCHDB_URL, isolate, servicesAvailable, watchGroups, type GroupWatch } from "../helpers/services.js";
import { Signal, waitFor, within } from "../helpers/wait.js";
import { tinySeries } from "../helpers/series.js";

const available = await servicesAvailable();

describe.skipIf(!available)("copies of a worker compete for work", () => {
  const iso = isolate("competing");
  const home = mkdtempSync(join(tmpdir(), "drover-competing-"));
  const data = join(home, "data");
  const env = { AMQP_URL, AMQP_EXCHANGE: iso.exchange, COUCHDB_URL, COUCHDB_DB: iso.db, DROVER_HOME: home, DROVER_DATA_ROOTS: data };
  let running: Running[] = [];
  let store: DocStore;
  let watcher: Bus;
  let groups: GroupWatch;
  const started = new Map<string, string[]>();
  const startedSeen = new Signal();
  const csv = join(data, "many.csv");
  const projects = Array.from({ length: 8 }, (_, i) => `series${i}`);

  beforeAll(async () => {
    const lines = ["project_code,pattern"];
    for (const [i, code] of projects.entries()) {
      await writeSeries(join(data, code), code, tinySeries({ steps: [6, 6], nlat: 8, nlon: 16, chunks: [3, 8, 16], value: (lat, lon, t, n) => 280 + lat / 10 + lon / 100 + t + n }), 100 + i);
      lines.push(`${code},${join(data, code, "*.nc")}`);
    }
    writeFileAtomic(csv, `${lines.join("\n")}\n`);
    running = [
      startService("state-tracker", env),
      startService("completion", env),
      ...["scanner", "computer", "validator"].flatMap((s) => [startService(s, env), startService(s, env)]),
    ];
    store = await openCouchStore(COUCHDB_URL, iso.db);
    groups = await watchGroups(iso.exchange, store);
    watcher = await connectBus({ url: AMQP_URL, exchange: iso.exchange, service: "test-watcher", logger: silentLogger });
    await watcher.watch("project.*.started", (m) => {
      const key = `${m.project}:${m.type}`;
      started.set(key, [...(started.get(key) ?? []), (m.body as { worker: string }).worker]);
      startedSeen.notify();
    });
    // Both copies of each worker must be consuming before the launch, or a copy that starts late
    // on a busy machine finds the work already done.
    await Promise.all(running.map((r) => r.ready()));
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of running) console.log(`--- ${r.name}\n${r.output()}`);
    await within(Promise.all([watcher?.close(), groups?.close()]), 30_000);
    await Promise.all(running.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("processes each project once per phase, sharing the work between the copies", async () => {
    expect((await runCli(["launch", csv], env)).code).toBe(0);
    const g = await groups.settled("many", { services: running });
    expect(g.state).toBe("Completed");
    // The watcher's own queue may lag behind the group's completion: wait for every start.
    await waitFor("a start message for every project and phase", () => (started.size === projects.length * 3 ? true : undefined), { signal: startedSeen });
    const docs = await listProjects(store, "many");
    expect(docs).toHaveLength(projects.length);
    for (const phase of ["scan", "compute", "validate"] as const) {
      const workers = new Set<string>();
      for (const p of docs) {
        // One start per project and phase, seen on the bus, and one attempt recorded.
        expect(started.get(`${p.code}:project.${phase}.started`), `${p.code} ${phase}`).toHaveLength(1);
        expect(p.phases[phase]?.attempts).toBe(1);
        expect(p.history.filter((h) => h.to === { scan: "Scanned", compute: "Computed", validate: "Validated" }[phase])).toHaveLength(1);
        workers.add(p.phases[phase]?.worker ?? "");
      }
      expect(workers.size, `${phase} work shared by both copies`).toBe(2);
    }
  });
});
