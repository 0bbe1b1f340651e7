import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetterQueue, listDeadLetters, listProjects, openCouchStore, readGroup, writeDemoGroup, type DocStore, type ProjectDoc } from "@drover/shared";
import { compareZarrWithSources } from "../helpers/compare.js";
import { runCli, startService, type Running } from "../helpers/processes.js";
import { pythonHasXarray, xarrayCompareAsync } from "../helpers/python.js";
import { AMQP_URL, COUCHDB_URL, eventually, isolate, serviceEnv, servicesAvailable, watchGroups, type GroupWatch } from "../helpers/services.js";
import { within } from "../helpers/wait.js";

const available = await servicesAvailable();

describe.skipIf(!available)("the pipeline over the real broker and database", () => {
  const iso = isolate("pipeline");
  const home = mkdtempSync(join(tmpdir(), "drover-pipeline-"));
  const data = join(home, "data");
  const env = serviceEnv(iso, home, data, { DROVER_MAX_ATTEMPTS: "2" });
  let running: Running[] = [];
  let store: DocStore;
  let groups: GroupWatch;
  let sample: Awaited<ReturnType<typeof writeDemoGroup>>;

  beforeAll(async () => {
    sample = await writeDemoGroup(data);
    running = ["state-tracker", "scanner", "computer", "validator", "completion"].map((s) => startService(s, env));
    store = await openCouchStore(COUCHDB_URL, iso.db);
    groups = await watchGroups(iso.exchange, store);
    await Promise.all(running.map((r) => r.ready()));
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of running) console.log(`--- ${r.name}\n${r.output()}`);
    await within(groups?.close() ?? Promise.resolve(), 30_000);
    await Promise.all(running.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const groupState = (name: string, states: string[]) => groups.settled(name, { states, services: running });

  it("runs the sample group through scan, compute, validate and complete", async () => {
    const launched = await runCli(["launch", sample.groupFile, "--group", "sample"], env);
    expect(launched.stderr).toBe("");
    expect(launched.code).toBe(0);
    const group = await groupState("sample", ["Completed", "Incomplete"]);
    expect(group.reasons).toEqual([expect.stringContaining("3 products published")]);
    expect(group.state).toBe("Completed");

    const projects = await listProjects(store, "sample");
    expect(projects.map((p) => p.code).sort()).toEqual(Object.keys(sample.projects).sort());
    for (const p of projects) {
      expect(p.state).toBe("Completed");
      expect(p.history.map((h) => h.to)).toEqual([
        "Registered",
        "Scanning",
        "Scanned",
        "Computing",
        "Computed",
        "Validating",
        "Validated",
        "Completing",
        "Completed",
      ]);
      expect(p.outbox).toEqual([]);
      for (const phase of ["scan", "compute", "validate", "complete"] as const) {
        expect(p.phases[phase]?.status, `${p.code} ${phase}`).toBe("succeeded");
        expect(p.phases[phase]?.attempts).toBe(1);
      }
      expect(p.phases.scan?.worker).toMatch(/^scanner@/);
      expect(p.scan?.concatDim).toBe("time");

      // The published product, re-read and compared with its sources, value by value.
      const product = p.outputs.completedProduct ?? "";
      expect(product).toBe(join(home, "complete", "sample", "data", `${p.code}.k1.0.json`));
      expect(p.compute).toMatchObject({ format: "kerchunk", revision: "k1.0" });
      const files = sample.projects[p.code] ?? [];
      const check = await compareZarrWithSources(product, files, "time");
      expect(check.variables).toBeGreaterThanOrEqual(7);
      expect(check.values).toBeGreaterThan(1000);

      // The report beside it: PADOCC's data + metadata shape, no errors, sources really compared.
      const report = JSON.parse(readFileSync(p.outputs.completedReport ?? "", "utf8"));
      expect(report.data.variables).toEqual({});
      expect(report.data.dimensions).toEqual({});
      expect(report.data.compared.values).toBeGreaterThan(1000);
      expect(report.data.compared.files).toContain(files[0]);
      expect(report.data.compared.files).toContain(files[files.length - 1]);
      expect(report.metadata.skipped).toHaveProperty(["global.tracking_id"]);
      expect(p.validation?.status).toBe("Success");
    }
    expect(existsSync(join(home, "complete", "sample", "summary.json"))).toBe(true);
    // Nothing half-written is left behind.
    expect(readFileSync(join(home, "complete", "sample", "summary.json"), "utf8")).toContain("tos_Omon");
  });

  it("writes a Zarr copy instead of references when asked to", async () => {
    const launched = await runCli(["launch", sample.groupFile, "--group", "sample-zarr", "--format", "zarr"], env);
    expect(launched.code).toBe(0);
    expect((await groupState("sample-zarr", ["Completed", "Incomplete"])).state).toBe("Completed");
    for (const p of await listProjects(store, "sample-zarr")) {
      expect(p.outputs.completedProduct).toBe(join(home, "complete", "sample-zarr", "data", `${p.code}.z1.0.zarr`));
      const check = await compareZarrWithSources(p.outputs.completedProduct ?? "", sample.projects[p.code] ?? [], "time");
      expect(check.values).toBeGreaterThan(1000);
    }
  });

  it.runIf(pythonHasXarray())("publishes references and Zarr stores that xarray opens unmodified and that equal the sources", async () => {
    for (const group of ["sample", "sample-zarr"]) {
      const projects = await listProjects(store, group);
      expect(projects).toHaveLength(3);
      for (const p of projects) {
        const r = await xarrayCompareAsync(p.outputs.completedProduct ?? "", "time", sample.projects[p.code] ?? []);
        expect(r.problems, `${group}/${p.code}`).toEqual([]);
        expect(r.variables).toBeGreaterThanOrEqual(7);
      }
    }
  });

  it("records a corrupt NetCDF file on its project, names the file, and keeps the rest of the group going", async () => {
    const bad = join(data, "broken");
    mkdirSync(bad, { recursive: true });
    const files = sample.projects["tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"] ?? [];
    const cut = join(bad, "tas_part2.nc");
    copyFileSync(files[1] ?? "", cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 3));
    copyFileSync(files[0] ?? "", join(bad, "tas_part1.nc"));
    const csv = join(bad, "broken.csv");
    writeFileSync(csv, `project_code,pattern\ntruncated,${join(bad, "tas_part*.nc")}\nfine,${join(data, "demo", "tos", "files.txt")}\n`);
    const launched = await runCli(["launch", csv], env);
    expect(launched.code).toBe(0);
    const group = await groupState("broken", ["Incomplete", "Completed"]);
    expect(group.state).toBe("Incomplete");
    expect(group.reasons).toEqual([expect.stringMatching(/^truncated: ScanFailed: SourceFormatError: .*tas_part2\.nc/)]);
    const projects = await listProjects(store, "broken");
    const byCode = Object.fromEntries(projects.map((p) => [p.code, p])) as Record<string, ProjectDoc>;
    expect(byCode["truncated"]?.state).toBe("ScanFailed");
    expect(byCode["truncated"]?.lastError).toMatchObject({ kind: "SourceFormatError", permanent: true, file: cut });
    expect(byCode["truncated"]?.lastError?.message).toMatch(/truncated|re-copy/);
    expect(byCode["truncated"]?.phases.scan?.attempts).toBe(1);
    expect(byCode["fine"]?.state).toBe("Validated");
    for (const r of running) expect(r.alive(), `${r.name} still running`).toBe(true);
  });

  it("rejects malformed messages at the door, parks them, and goes on working", async () => {
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createConfirmChannel();
    const send = (key: string, body: string) =>
      new Promise<void>((resolve, reject) => ch.publish(iso.exchange, key, Buffer.from(body), { persistent: true }, (e: unknown) => (e ? reject(e) : resolve())));
    await send("project.scan.request", "this is not JSON");
    await send("group.register.request", JSON.stringify({ id: "nope", type: "group.register.request", body: {} }));
    await send("project.compute.succeeded", JSON.stringify({ hello: "world" }));
    // The state-tracker takes parked messages off the dead-letter queue and keeps them for operators.
    const kept = await eventually("three parked messages kept for operators", async () => {
      const d = await listDeadLetters(store);
      return d.length >= 3 ? d : undefined;
    });
    expect(kept.map((d) => d.selector).sort()).toEqual(["group.register.request", "project.compute.succeeded", "project.scan.request"]);
    // Each with the reason the bus refused it for, not only the broker's "rejected".
    expect(kept.find((d) => d.selector === "project.scan.request")).toMatchObject({ reason: expect.stringMatching(/^not JSON: /), content: "this is not JSON", queue: expect.stringMatching(/project\.scan\.request$/) });
    expect(kept.find((d) => d.selector === "group.register.request")?.reason).toMatch(/^message on group\.register\.request: bad envelope: id: Invalid UUID/);
    await eventually("the dead-letter queue drained", async () => ((await ch.checkQueue(deadLetterQueue(iso.exchange))).messageCount === 0 ? true : undefined));
    const listed = await runCli(["deadletters", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("project.compute.succeeded");
    expect((await runCli(["deadletters", "drop", "--all"], env)).stdout).toContain("dropped 3");
    expect(await listDeadLetters(store)).toEqual([]);
    await conn.close();
    for (const r of running) expect(r.alive(), `${r.name} still running`).toBe(true);
    const logs = running.map((r) => r.output()).join("\n");
    expect(logs).toContain("rejected a malformed message");
    expect(logs).toMatch(/bad envelope: id: Invalid UUID/);

    // Still working: a new group goes all the way.
    const launched = await runCli(["launch", sample.groupFile, "--group", "after-garbage"], env);
    expect(launched.code).toBe(0);
    expect((await groupState("after-garbage", ["Completed", "Incomplete"])).state).toBe("Completed");
  });

  it("refuses a bad group file at the door, naming every bad line", async () => {
    const dir = join(data, "badgroup");
    mkdirSync(dir, { recursive: true });
    const csv = join(dir, "bad.csv");
    writeFileSync(
      csv,
      [
        "project_code,pattern",
        `ok,${join(data, "demo", "tas", "*.nc")}`,
        `no-files,${join(dir, "nothing-*.nc")}`,
        `12345,${join(data, "demo", "pr", "*.nc")}`,
        "no-pattern",
        `outside,/etc/hostname`,
        `ok,${join(data, "demo", "pr", "*.nc")}`,
      ].join("\n"),
    );
    const r = await runCli(["launch", csv], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has 5 problems");
    expect(r.stderr).toContain("bad.csv line 3: pattern");
    expect(r.stderr).toContain("bad.csv line 4: project code \"12345\" must not be all digits");
    expect(r.stderr).toContain("bad.csv line 5: project no-pattern has no file pattern");
    expect(r.stderr).toMatch(/bad\.csv line 6: \/etc\/hostname is outside the allowed data roots/);
    expect(r.stderr).toContain("bad.csv line 7: project ok is already defined on line 2");
    expect(await readGroup(store, "group:bad")).toBeUndefined();
  });
});
