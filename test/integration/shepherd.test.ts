import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isActive, listProjects, type ProjectState, openCouchStore, readGroup, readProject, writeDemoGroup, type DocStore, type ProjectDoc } from "@drover/shared";
import { startService, type Running } from "../helpers/processes.js";
import { COUCHDB_URL, eventually, isolate, serviceEnv, servicesAvailable, watchGroups, type GroupWatch } from "../helpers/services.js";
import { within } from "../helpers/wait.js";

// The shepherd with the real services, broker and database: three group files dropped into a
// flock directory (one clean, one with a corrupt file in one project, one held by .shpignore),
// a group file edited mid-run, the shepherd killed and restarted, and the batch limit checked
// from every project's history.

const available = await servicesAvailable();
const BATCH_LIMIT = 2;

/** The most projects in flight at once, from the history timestamps of every project. */
function mostInFlight(projects: ProjectDoc[]): number {
  const events: Array<{ at: number; d: number }> = [];
  for (const p of projects) {
    for (const h of p.history) {
      const working = (s: ProjectState | null) => s !== null && isActive(s) && s !== "Completing";
      const was = working(h.from as ProjectState | null);
      const is = working(h.to as ProjectState);
      if (was !== is) events.push({ at: Date.parse(h.at), d: is ? 1 : -1 });
    }
  }
  // At equal times a departure counts first: the tracker records both moves of one instant.
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  let n = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (n += e.d));
  return most;
}

describe.skipIf(!available)("the shepherd driving a flock", () => {
  const iso = isolate("shepherd");
  const home = mkdtempSync(join(tmpdir(), "drover-shepherd-"));
  const data = join(home, "data");
  const flock = join(home, "flock");
  const done = join(home, "complete");
  const configFile = join(home, "shepherd.yaml");
  const env = serviceEnv(iso, home, data, { DROVER_SHEPHERD_CONFIG: configFile });
  let services: Running[] = [];
  let shepherd: Running;
  let store: DocStore;
  let groups: GroupWatch;
  let sample: Awaited<ReturnType<typeof writeDemoGroup>>;
  let cut = "";
  const codes = () => Object.keys(sample.projects);

  beforeAll(async () => {
    sample = await writeDemoGroup(data);
    mkdirSync(flock, { recursive: true });
    writeFileSync(configFile, [`flock_dir: ${flock}`, `complete_dir: ${done}`, `batch_limit: ${BATCH_LIMIT}`, "settle_seconds: 0.3", "lease_seconds: 6", "retry:", "  backoff_seconds: 1"].join("\n"));
    // A project with a truncated file beside a good one.
    const bad = join(data, "broken");
    mkdirSync(bad, { recursive: true });
    const tas = sample.projects["tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"] ?? [];
    cut = join(bad, "tas_part2.nc");
    copyFileSync(tas[1] ?? "", cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 3));
    copyFileSync(tas[0] ?? "", join(bad, "tas_part1.nc"));
    services = ["state-tracker", "scanner", "computer", "validator", "completion"].map((s) => startService(s, env));
    store = await openCouchStore(COUCHDB_URL, iso.db);
    groups = await watchGroups(iso.exchange, store);
    await Promise.all(services.map((r) => r.ready()));
    // The three group files: clean (a file), corrupt (a file), held (a directory with .shpignore).
    copyFileSync(sample.groupFile, join(flock, "clean.csv"));
    writeFileSync(join(flock, "corrupt.csv"), `project_code,pattern\ntruncated,${join(bad, "tas_part*.nc")}\nfine,${join(data, "demo", "tos", "files.txt")}\n`);
    mkdirSync(join(flock, "held"));
    writeFileSync(join(flock, "held", ".shpignore"), "");
    writeFileSync(join(flock, "held", "held.csv"), `project_code,pattern\nheld_tos,${join(data, "demo", "tos", "files.txt")}\n`);
    shepherd = startService("shepherd", env);
    await shepherd.ready();
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of [...services, shepherd]) console.log(`--- ${r?.name}\n${r?.output()}`);
    await within(groups?.close() ?? Promise.resolve(), 30_000);
    await Promise.all([...services, shepherd].filter(Boolean).map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const all = () => [...services, shepherd];

  it("survives being killed mid-run: a restarted shepherd carries on where the database says", async () => {
    // Kill it once it has admitted work, before anything completed.
    await eventually("the shepherd to admit a project", async () => ((await listProjects(store, "clean")).some((p) => p.state !== "Registered") ? true : undefined));
    shepherd.proc.kill("SIGKILL");
    await shepherd.exited;
    shepherd = startService("shepherd", env);
    await shepherd.ready();
  });

  it("completes the clean group, publishes it to complete_dir and moves its file to completed/", async () => {
    const g = await groups.settled("clean", { states: ["Completed"], services: all() });
    expect(g.driver).toBe("shepherd");
    expect(g.completeDir).toBe(done);
    await eventually("the clean group file to move to completed/", async () => (existsSync(join(flock, "completed", "clean.csv")) ? true : undefined));
    expect(existsSync(join(flock, "clean.csv"))).toBe(false);
    const published = readdirSync(join(done, "clean", "data")).sort();
    expect(published).toHaveLength(codes().length);
    for (const code of codes()) expect(published.filter((f) => f.startsWith(`${code}.`))).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(done, "clean", "summary.json"), "utf8")) as { projects: Array<{ code: string }> };
    expect(summary.projects.map((p) => p.code).sort()).toEqual(codes().sort());
    // One completion per project, though the shepherd was killed and restarted on the way.
    for (const p of await listProjects(store, "clean")) expect(p.history.filter((h) => h.to === "Completed")).toHaveLength(1);
  });

  it("quarantines the project with the corrupt file, naming it, and its group waits", async () => {
    const p = await eventually("the truncated project to be quarantined", async () => {
      const d = await readProject(store, "project:corrupt:truncated");
      return d?.state === "Quarantined" ? d : undefined;
    });
    expect(p.quarantineReason).toContain(cut);
    expect(p.quarantineReason).toMatch(/^SourceFormatError in file /);
    await eventually("the fine project to be validated", async () => ((await readProject(store, "project:corrupt:fine"))?.state === "Validated" ? true : undefined));
    const g = await readGroup(store, "group:corrupt");
    expect(g?.state).not.toBe("Completed");
    expect(existsSync(join(flock, "corrupt.csv"))).toBe(true);
  });

  it("leaves the ignored group untouched until its .shpignore is removed", async () => {
    expect(await readGroup(store, "group:held")).toBeUndefined();
    unlinkSync(join(flock, "held", ".shpignore"));
    await groups.settled("held", { states: ["Completed"], services: all() });
    await eventually("the held group's directory to move to completed/", async () => (existsSync(join(flock, "completed", "held", "held.csv")) ? true : undefined));
  });

  it("follows an edited group file: a new project joins and completes, the dropped one retires", async () => {
    writeFileSync(join(flock, "corrupt.csv"), `project_code,pattern\nfine,${join(data, "demo", "tos", "files.txt")}\nadded,${join(data, "demo", "tas", "tas_*.nc")}\n`);
    const g = await groups.settled("corrupt", { states: ["Completed"], services: all() });
    expect(g.projects.sort()).toEqual(["added", "fine", "truncated"]);
    const byCode = new Map((await listProjects(store, "corrupt")).map((p) => [p.code, p]));
    expect(byCode.get("added")?.state).toBe("Completed");
    expect(byCode.get("fine")?.state).toBe("Completed");
    expect(byCode.get("truncated")).toMatchObject({ state: "Faultlisted", faultlistReason: `retired: no longer listed in ${join(flock, "corrupt.csv")}` });
    expect(readdirSync(join(done, "corrupt", "data")).sort().map((f) => f.split(".")[0])).toEqual(["added", "fine"]);
  });

  it("never had more projects in flight than the batch limit", async () => {
    const projects = [...(await listProjects(store, "clean")), ...(await listProjects(store, "corrupt")), ...(await listProjects(store, "held"))];
    expect(projects.length).toBe(codes().length + 4);
    const most = mostInFlight(projects);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(BATCH_LIMIT);
  });
});
