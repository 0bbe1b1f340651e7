import { describe, expect, it } from "vitest";
import { chunkLaunch, createMemoryStore, createMessage, dropLaunch, readGroup, readLaunch, readProject, silentLogger, storeLaunch, type DocStore, type LaunchProject, type Message, type ProjectDoc } from "@drover/shared";
import { createCoalescer } from "../../services/state-tracker/src/coalesce.js";
import { DocCache } from "../../services/state-tracker/src/doc-cache.js";
import { createDocWriter } from "../../services/state-tracker/src/doc-writer.js";
import { createKeyedLock } from "../../services/state-tracker/src/keyed-lock.js";
import { createTracker } from "../../services/state-tracker/src/tracker.js";

// The state-tracker's database plumbing: what it remembers, how it orders its own writes, how
// it folds group reviews, and the launch documents that keep register messages small.

/** A memory store that counts requests by kind. */
function counted(store: DocStore = createMemoryStore()) {
  const n = { get: 0, put: 0, bulk: 0, conflict: 0 };
  const s: DocStore = {
    ...store,
    get: (id) => (n.get++, store.get(id)),
    put: async (d) => {
      n.put++;
      try {
        return await store.put(d);
      } catch (e) {
        n.conflict++;
        throw e;
      }
    },
    putMany: (docs) => (n.bulk++, store.putMany(docs)),
  };
  return { store: s, raw: store, n };
}

interface Note {
  _id: string;
  _rev?: string | undefined;
  value: number;
  outbox: Message[];
}

const note = (id: string, value: number): Note => ({ _id: id, value, outbox: [] });
const msg = () => createMessage("project.state.changed", { group: "g", project: "p" }, { from: "Scanning", to: "Scanned", reason: "test", seq: 2 }, "test");

const scanDone = { inventory: "/w/i.json", summary: { files: 1, bytes: 1, variables: ["tas"], concatDim: "time", identicalDims: [], concatLength: 1, chunks: 1, issues: [] } };
const computeDone = { product: "/w/p.zarr", summary: { format: "zarr", revision: "z1.0", variables: 1, chunksWritten: 1, bytesWritten: 1, seconds: 0.1 } };
const validateDone = { dataReport: "/w/d.json", metadataReport: "/w/m.json", summary: { outcome: "Success", status: "Success", filesCompared: ["/a.nc"], valuesCompared: 1, fatal: [], warnings: [], bypassed: [] } };

/** A copy of the state-tracker on `store`, publishing into `sent`. */
function trackerCopy(store: DocStore, sent: Message[], k: number, timing: { reviewDelayMs: number; clearAfterMs: number }) {
  return createTracker({
    bus: { sender: `state-tracker@test:${k}`, publish: async (m: Message) => void sent.push(m), consume: async () => {} },
    store,
    log: silentLogger,
    settings: { maxAttempts: 3, autoAdvance: true, acceptWarnings: false },
    workDir: "/work",
    completeDir: "/complete",
    ...timing,
  });
}

/** The register request `drover launch` sends for one-file projects `codes` of group g. */
async function launchOf(store: DocStore, codes: string[]): Promise<Message> {
  return createMessage("group.register.request", { group: "g" }, { groupFile: "/g.csv", ...(await storeLaunch(store, "g", codes.map((code) => ({ code, files: ["/a.nc"], config: { format: "zarr" as const } })))) }, "cli@test");
}

function writer(store: DocStore, clearAfterMs = 0) {
  return createDocWriter<Note>(store, async (id) => (await store.get(id)) as Note | undefined, { cacheSize: 10, clearAfterMs });
}

describe("the document cache", () => {
  it("keeps the most recently used documents, up to its size", () => {
    const c = new DocCache<Note>(2);
    c.set(note("a", 1));
    c.set(note("b", 1));
    c.get("a");
    c.set(note("c", 1));
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")?.value).toBe(1);
    expect(c.size).toBe(2);
  });
});

describe("the keyed lock", () => {
  it("runs jobs of one key one after another, and of other keys side by side", async () => {
    const lock = createKeyedLock();
    const order: string[] = [];
    const slow = (tag: string, ms: number) => async () => {
      order.push(`${tag} start`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${tag} end`);
    };
    await Promise.all([lock.run("a", slow("a1", 20)), lock.run("a", slow("a2", 1)), lock.run("b", slow("b1", 1))]);
    expect(order.indexOf("a2 start")).toBeGreaterThan(order.indexOf("a1 end"));
    expect(order.indexOf("b1 end")).toBeLessThan(order.indexOf("a1 end"));
    expect(lock.busy("a")).toBe(false);
  });

  it("goes on after a job that failed", async () => {
    const lock = createKeyedLock();
    await expect(lock.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock.run("a", async () => 2)).toBe(2);
  });
});

describe("the review coalescer", () => {
  it("folds asks into one run, and runs once more for asks made during a run", async () => {
    const runs: string[] = [];
    let release = () => {};
    const c = createCoalescer(
      async (k) => {
        runs.push(k);
        if (runs.length === 1) await new Promise<void>((r) => (release = r));
      },
      () => 5,
      () => undefined,
    );
    c.ask("g");
    c.ask("g");
    c.ask("g");
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toEqual(["g"]);
    c.ask("g");
    c.ask("g");
    release();
    await c.idle();
    expect(runs).toEqual(["g", "g"]);
  });

  it("reports a failed run and stays usable", async () => {
    const errors: string[] = [];
    let fail = true;
    const c = createCoalescer(async () => {
      if (fail) throw new Error("view away");
    }, () => 0, (k, e) => errors.push(`${k}: ${(e as Error).message}`));
    c.ask("g");
    await c.idle();
    fail = false;
    c.ask("g");
    await c.idle();
    expect(errors).toEqual(["g: view away"]);
  });
});

describe("the document writer", () => {
  it("changes a document it wrote without reading it again", async () => {
    const { store, n } = counted();
    const w = writer(store);
    await w.change("a", () => note("a", 1));
    for (let i = 2; i <= 5; i++) await w.change("a", (cur) => cur && { ...cur, value: i });
    expect(n).toMatchObject({ get: 1, put: 5, conflict: 0 });
    expect(((await store.get("a")) as Note).value).toBe(5);
  });

  it("redoes a change from a fresh read when another copy wrote since", async () => {
    const { store, raw, n } = counted();
    const w = writer(store);
    await w.change("a", () => note("a", 1));
    const other = (await raw.get("a")) as Note;
    await raw.put({ ...other, value: 10 } as Note);
    await w.change("a", (cur) => cur && { ...cur, value: cur.value + 1 });
    expect(((await raw.get("a")) as Note).value).toBe(11);
    expect(n.conflict).toBe(1);
  });

  it("checks on a fresh read before deciding that a message changes nothing", async () => {
    const { store, raw } = counted();
    const w = writer(store);
    await w.change("a", () => note("a", 1));
    const other = (await raw.get("a")) as Note;
    await raw.put({ ...other, value: 2 } as Note);
    // Only a document at value 2 takes the change: the remembered one (1) would drop it.
    const r = await w.change("a", (cur) => (cur?.value === 2 ? { ...cur, value: 3 } : undefined));
    expect(r.changed).toBe(true);
    expect(((await raw.get("a")) as Note).value).toBe(3);
  });

  it("takes published messages out with the next change, or in one bulk write when none comes", async () => {
    const { store, n } = counted();
    const w = writer(store, 60_000);
    const m1 = msg();
    const a = await w.change("a", () => ({ ...note("a", 1), outbox: [m1] }));
    await w.clearSent(a.doc!, [m1]);
    const next = await w.change("a", (cur) => cur && { ...cur, value: 2 });
    expect(next.before?.outbox).toEqual([]);
    expect(((await store.get("a")) as Note).outbox).toEqual([]);

    const m2 = msg();
    const m3 = msg();
    const b = await w.change("b", () => ({ ...note("b", 1), outbox: [m2] }));
    const c = await w.change("c", () => ({ ...note("c", 1), outbox: [m3] }));
    await w.clearSent(b.doc!, [m2]);
    await w.clearSent(c.doc!, [m3]);
    const bulks = n.bulk;
    await w.flush();
    expect(n.bulk).toBe(bulks + 1);
    expect(((await store.get("b")) as Note).outbox).toEqual([]);
    expect(((await store.get("c")) as Note).outbox).toEqual([]);
  });
});

describe("launch documents", () => {
  const projects = (n: number): LaunchProject[] => Array.from({ length: n }, (_, i) => ({ code: `p${i}`, files: [`/data/p${i}/a.nc`], config: { format: "kerchunk" } }));

  it("splits a group's projects into chunks of bounded size, in order", () => {
    const chunks = chunkLaunch("g", "L", projects(100), 1_000);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.flatMap((c) => c.projects.map((p) => p.code))).toEqual(projects(100).map((p) => p.code));
    for (const c of chunks) expect(JSON.stringify(c.projects).length).toBeLessThanOrEqual(1_000 + 100);
    expect(chunks.map((c) => c._id)).toEqual([...chunks.map((c) => c._id)].sort());
  });

  it("stores, reads back and deletes a launch; a missing chunk is an error naming the fix", async () => {
    const store = createMemoryStore();
    const stored = await storeLaunch(store, "g", projects(3));
    expect(stored).toMatchObject({ chunks: 1, projects: 3 });
    const chunks = await readLaunch(store, "g", stored);
    expect(chunks?.flatMap((c) => c.projects)).toHaveLength(3);
    await expect(readLaunch(store, "g", { ...stored, chunks: 2 })).rejects.toThrow(/found 1 of 2 chunks.*launch the group again/);
    await dropLaunch(store, chunks!);
    expect(await readLaunch(store, "g", stored)).toBeUndefined();
  });

  it("keeps the register message small whatever the size of the group", () => {
    const m = createMessage("group.register.request", { group: "g" }, { groupFile: "/g.csv", launch: "L", chunks: 40, projects: 20_000 }, "cli@test");
    expect(JSON.stringify(m).length).toBeLessThan(600);
  });
});

describe("the state-tracker's database round-trips", () => {
  it("makes about one write per transition and no reads for a project it drives", async () => {
    const { store, raw, n } = counted();
    const sent: Message[] = [];
    const tracker = trackerCopy(store, sent, 1, { reviewDelayMs: 0, clearAfterMs: 60_000 });
    const handle = async (m: Message) => {
      await tracker.handle(m);
      await tracker.idle();
    };
    const codes = ["p", "q", "r"];
    await handle(await launchOf(raw, codes));
    const last = (type: string, code: string) => [...sent].reverse().find((m) => m.type === type && m.project === code)!;
    const reply = (type: Parameters<typeof createMessage>[0], to: Message, body: unknown) =>
      handle(createMessage(type, { group: "g", project: to.project, attempt: to.attempt, correlationId: to.id }, body as never, "worker@test:2"));
    const before = { ...n };
    for (const code of codes) {
      await reply("project.scan.started", last("project.scan.request", code), { worker: "s" });
      await reply("project.scan.succeeded", last("project.scan.request", code), scanDone);
      await reply("project.compute.started", last("project.compute.request", code), { worker: "c" });
      await reply("project.compute.succeeded", last("project.compute.request", code), computeDone);
      await reply("project.validate.started", last("project.validate.request", code), { worker: "v" });
      await reply("project.validate.succeeded", last("project.validate.request", code), validateDone);
    }
    // Six transitions per project, one write each and no read (published messages leave the
    // outbox with the next write); the group: its move to Completing and its outbox.
    expect(n.put - before.put).toBe(codes.length * 6 + 2);
    expect(n.conflict).toBe(0);
    // Reads: the group's document at each review (one per result), and at its move.
    expect(n.get - before.get).toBe(codes.length * 3 + 2);
    const req = [...sent].reverse().find((m) => m.type === "group.complete.request") as Message<"group.complete.request">;
    expect(req.body.projects.map((p) => p.code)).toEqual(codes);
    expect(((await readProject(raw, "project:g:p")) as ProjectDoc).state).toBe("Completing");
    expect((await raw.list("launch:"))).toEqual([]);
  });
});

describe("competing copies of the state-tracker", () => {
  it("share one group's results, each from its own remembered documents, and complete it once", async () => {
    const { store, n } = counted();
    const sent: Message[] = [];
    const copies = [1, 2].map((k) => trackerCopy(store, sent, k, { reviewDelayMs: 0, clearAfterMs: 5 }));
    let turn = 0;
    /** Each message to the next copy in turn; some handled by both (a redelivery to the other copy). */
    const handle = async (m: Message, both = false) => {
      const targets = both ? copies : [copies[turn++ % 2]!];
      await Promise.all(targets.map((t) => t.handle(m)));
      await Promise.all(copies.map((t) => t.idle()));
    };
    const codes = ["p", "q", "r", "s"];
    const registration = await launchOf(store, codes);
    await handle(registration);
    await handle(registration);
    expect(sent.filter((m) => m.type === "request.answered").map((m) => (m as Message<"request.answered">).body.outcome)).toEqual(["done", "unchanged"]);
    const last = (type: string, code: string) => [...sent].reverse().find((m) => m.type === type && m.project === code)!;
    const reply = (type: Parameters<typeof createMessage>[0], to: Message, body: unknown, both = false) =>
      handle(createMessage(type, { group: "g", project: to.project, attempt: to.attempt, correlationId: to.id }, body as never, "worker@test:2"), both);
    for (const code of codes) {
      await reply("project.scan.succeeded", last("project.scan.request", code), scanDone, true);
      await reply("project.compute.succeeded", last("project.compute.request", code), computeDone);
    }
    for (const code of codes) {
      await reply("project.validate.succeeded", last("project.validate.request", code), validateDone, code === "s");
    }
    expect(sent.filter((m) => m.type === "group.complete.request")).toHaveLength(1);
    expect(sent.filter((m) => m.type === "project.compute.request")).toHaveLength(codes.length);
    for (const code of codes) {
      const p = (await readProject(store, `project:g:${code}`)) as ProjectDoc;
      expect(p.state).toBe("Completing");
      expect(p.outbox).toEqual([]);
      expect(p.history.map((h) => h.to)).toEqual(["Registered", "Scanning", "Scanned", "Computing", "Computed", "Validating", "Validated", "Completing"]);
    }
    expect(n.conflict).toBeGreaterThan(0);
  });
});

describe("a group review lost with a stopped copy of the state-tracker", () => {
  it("is made up for by another copy's sweep", async () => {
    const store = createMemoryStore();
    const sent: Message[] = [];
    const copy = (k: number, reviewDelayMs: number) => trackerCopy(store, sent, k, { reviewDelayMs, clearAfterMs: 0 });
    // This copy "stops" right after acknowledging the last result: its review never runs.
    const stopping = copy(1, 3_600_000);
    const survivor = copy(2, 0);
    await survivor.handle(await launchOf(store, ["p"]));
    await survivor.idle();
    const last = (type: string) => [...sent].reverse().find((m) => m.type === type)!;
    const reply = (t: typeof survivor, type: Parameters<typeof createMessage>[0], to: Message, body: unknown) =>
      t.handle(createMessage(type, { group: "g", project: "p", attempt: to.attempt, correlationId: to.id }, body as never, "worker@test:2"));
    await reply(survivor, "project.scan.succeeded", last("project.scan.request"), scanDone);
    await reply(survivor, "project.compute.succeeded", last("project.compute.request"), computeDone);
    await survivor.idle();
    await reply(stopping, "project.validate.succeeded", last("project.validate.request"), validateDone);
    expect((await readGroup(store, "group:g"))?.state).toBe("Active");
    await survivor.sweep();
    await survivor.idle();
    expect((await readGroup(store, "group:g"))?.state).toBe("Completing");
    expect(sent.filter((m) => m.type === "group.complete.request")).toHaveLength(1);
  });
});
