import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDeadLetters, listProjects, openCouchStore, readProject, writeDemoGroup, type DeadLetterDoc, type DocStore } from "@drover/shared";
import { runCli, startService, type Running } from "../helpers/processes.js";
import { AMQP_URL, COUCHDB_URL, eventually, isolate, serviceEnv, servicesAvailable } from "../helpers/services.js";
import { within } from "../helpers/wait.js";

// Hostile input over the real broker and database: bodies over the size limit, failures over the
// schema's bounds, requests naming paths the state-tracker never would. Each is parked with its
// reason; nothing is written where it points; the project's document stays small.

const available = await servicesAvailable();

describe.skipIf(!available)("hostile messages", () => {
  const iso = isolate("hostile");
  const home = mkdtempSync(join(tmpdir(), "drover-hostile-"));
  const data = join(home, "data");
  const env = serviceEnv(iso, home, data);
  let running: Running[] = [];
  let store: DocStore;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  let sample: Awaited<ReturnType<typeof writeDemoGroup>>;

  /** Publishes raw bytes on a selector, as a forger with access to the broker would. */
  const forge = (selector: string, body: unknown, fields: Record<string, unknown> = {}) => {
    const id = randomUUID();
    const msg = { id, type: selector, group: "g", attempt: 1, sentAt: new Date().toISOString(), correlationId: id, sender: "forger@x:1", ...fields, body };
    ch.publish(iso.exchange, selector, Buffer.from(JSON.stringify(msg)), { persistent: true, messageId: id });
    return id;
  };
  const parkedAs = (id: string) => eventually(`dead letter ${id}`, async () => (await listDeadLetters(store)).find((d: DeadLetterDoc) => d._id === `deadletter:${id}`));

  beforeAll(async () => {
    sample = await writeDemoGroup(data);
    // No computer, validator: the projects wait in Computing, their scans done.
    running = ["state-tracker", "scanner", "completion"].map((s) => startService(s, env));
    store = await openCouchStore(COUCHDB_URL, iso.db);
    await Promise.all(running.map((r) => r.ready()));
    conn = await amqp.connect(AMQP_URL);
    ch = await conn.createChannel();
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of running) console.log(`--- ${r.name}\n${r.output()}`);
    await within(conn?.close() ?? Promise.resolve(), 10_000);
    await Promise.all(running.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("parks a 10 MB failure for a real project unparsed, and one over the schema's bounds, leaving its document small", async () => {
    const launched = await runCli(["launch", sample.groupFile, "--group", "g"], env);
    expect(launched.code, launched.stderr).toBe(0);
    const p = await eventually("a project computing", async () => (await listProjects(store, "g")).find((x) => x.state === "Computing"));
    const current = { group: "g", project: p.code, correlationId: p.phases.compute?.requestId };
    const huge = forge("project.compute.failed", { error: { kind: "ComputeError", message: "E".repeat(10 * 1024 * 1024), permanent: true } }, current);
    const long = forge("project.compute.failed", { error: { kind: "ComputeError", message: "L".repeat(100_000), permanent: true } }, current);
    const a = await parkedAs(huge);
    expect(a.reason).toMatch(/^oversized: \d+ bytes > 1048576/);
    expect(a.project).toBe(p.code);
    expect(a.content.length).toBeLessThanOrEqual(64 * 1024);
    expect(a.truncated).toBe(true);
    const b = await parkedAs(long);
    expect(b.reason).toMatch(/error\.message: must be at most 4096 characters/);
    const after = await readProject(store, p._id);
    expect(after?.state).toBe("Computing");
    const size = Buffer.byteLength(JSON.stringify(await store.get(p._id)));
    console.log(`project document after the forged failures: ${size} bytes`);
    expect(size).toBeLessThan(64 * 1024);
  });

  it("refuses a forged scan request naming a foreign workDir: nothing is written there", async () => {
    const foreign = join(home, "elsewhere", "victim");
    mkdirSync(foreign, { recursive: true });
    const files = Object.values(sample.projects)[0]?.slice(0, 1) ?? [];
    const id = forge("project.scan.request", { files, config: { format: "kerchunk" }, workDir: foreign }, { project: "victim", group: "nobody" });
    const parked = await parkedAs(id);
    expect(parked.reason).toMatch(/workDir .*victim is outside .*DROVER_WORK_DIR/);
    // A workDir inside the work directory reached through `..` or a link is refused too.
    const link = join(home, "work", "in_progress", "nobody", "linked");
    mkdirSync(join(home, "work", "in_progress", "nobody"), { recursive: true });
    symlinkSync(foreign, link);
    const viaLink = forge("project.scan.request", { files, config: { format: "kerchunk" }, workDir: join(link, "..", "linked") }, { project: "linked", group: "nobody" });
    expect((await parkedAs(viaLink)).reason).toMatch(/really .*elsewhere\/victim/);
    expect(readdirSync(foreign)).toEqual([]);
  });

  it("refuses a forged completion naming /etc/passwd: nothing is copied", async () => {
    const complete = join(home, "complete");
    const id = forge("group.complete.request", { completeDir: complete, projects: [{ code: "p", product: "/etc/passwd", revision: "k1.0", dataReport: "/etc/passwd", metadataReport: "/etc/passwd" }] }, { group: "g" });
    const parked = await parkedAs(id);
    expect(parked.reason).toMatch(/refused/);
    expect(existsSync(join(complete, "g", "data", "p.k1.0.out"))).toBe(false);
    expect(existsSync(join(complete, "g", "reports", "p_k1.0_report.json"))).toBe(false);
  });
});
