import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, ProjectDocSchema, type Doc, newProject, openCouchStore, readProject, readProjects, updateDoc, type DocStore, type ProjectDoc } from "@drover/shared";
import { checkProjectPages } from "../helpers/pages.js";
import { COUCHDB_URL, isolate, servicesAvailable } from "../helpers/services.js";

const available = await servicesAvailable();

describe.skipIf(!available)("the CouchDB store", () => {
  const iso = isolate("store");
  let store: DocStore;
  beforeAll(async () => {
    store = await openCouchStore(COUCHDB_URL, iso.db);
  });
  afterAll(() => iso.cleanup());

  it("refuses a write with a stale _rev (409) instead of overwriting", async () => {
    const doc = newProject("g", "p", ["/a.nc"], { format: "zarr" }, "/w", new Date().toISOString());
    const rev1 = await store.put(doc);
    await store.put({ ...doc, _rev: rev1 });
    await expect(store.put({ ...doc, _rev: rev1 })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.put(doc)).rejects.toBeInstanceOf(ConflictError);
  });

  it("gives each of many writes sent at once its own outcome: the stale ones conflict, the others land", async () => {
    const now = new Date().toISOString();
    const docs = Array.from({ length: 40 }, (_, i) => newProject("gathered", `p${i}`, ["/a.nc"], { format: "zarr" }, "/w", now));
    const revs = await Promise.all(docs.map((d) => store.put(d)));
    expect(new Set(revs).size).toBe(40);
    // Every other document written from its first _rev (current), the rest without one (stale: they exist).
    const outcomes = await Promise.allSettled(docs.map((d, i) => store.put((i % 2 === 0 ? { ...d, state: "Scanning", _rev: revs[i] } : { ...d, state: "Scanning" }) as ProjectDoc)));
    outcomes.forEach((o, i) => {
      if (i % 2 === 0) expect(o.status).toBe("fulfilled");
      else expect(o.status === "rejected" && o.reason instanceof ConflictError && o.reason.id === docs[i]?._id).toBe(true);
    });
    const read = await Promise.all(docs.map((d) => readProject(store, d._id)));
    expect(read.map((d) => d?.state)).toEqual(docs.map((_, i) => (i % 2 === 0 ? "Scanning" : "Registered")));
  });

  it("loses no write and invents no conflict when many documents are updated at once, each in its own chain", async () => {
    // pouchdb-server sometimes answers a bulk write's rows out of order: matched by position,
    // a document took another's _rev (writes reported done that never happened, and conflicts).
    const chains = 200;
    const steps = 6;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: chains }, async (_, i) => {
        const id = `chain:${i}`;
        let rev: string | undefined;
        for (let k = 0; k < steps; k++) {
          await new Promise((r) => setTimeout(r, (i * 7 + k * 13) % 17));
          try {
            rev = await store.put({ _id: id, step: k, pad: "x".repeat(2000), ...(rev ? { _rev: rev } : {}) } as Doc);
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e;
            conflicts++;
            rev = ((await store.get(id)) as Doc | undefined)?._rev;
            k--;
          }
        }
      }),
    );
    expect(conflicts).toBe(0);
    const steps_ = await Promise.all(Array.from({ length: chains }, async (_, i) => ((await store.get(`chain:${i}`)) as { step?: number } | undefined)?.step));
    expect(steps_).toEqual(Array.from({ length: chains }, () => steps - 1));
  });

  it("re-reads and re-applies concurrent updates so that none is lost", async () => {
    const doc = newProject("g", "q", ["/a.nc"], { format: "zarr" }, "/w", new Date().toISOString());
    await store.put(doc);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        updateDoc(store, doc._id, ProjectDocSchema, (cur) => (cur ? { ...cur, issues: [...cur.issues, { severity: "warning" as const, code: `w${i}`, message: String(i) }] } : undefined)),
      ),
    );
    const final = await readProject(store, doc._id);
    expect(final?.issues.map((i) => i.code).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `w${i}`).sort());
  });

  it("counts a group's projects by state with a view, and lists unsent outboxes", async () => {
    const now = new Date().toISOString();
    for (const [code, state] of [["a", "Scanning"], ["b", "Scanning"], ["c", "Validated"]] as const) {
      const doc: ProjectDoc = { ...newProject("counted", code, ["/a.nc"], { format: "zarr" }, "/w", now), state, outbox: code === "c" ? [{ id: "m1", type: "project.state.changed" } as never] : [] };
      await store.put(doc);
    }
    const counts = await store.countStates("counted");
    expect(counts.Scanning).toBe(2);
    expect(counts.Validated).toBe(1);
    expect(counts.Completed).toBe(0);
    expect(await store.pendingOutbox()).toEqual(["project:counted:c"]);
  });

  it("gives a group's projects a page at a time, in id order, each once, and no other group's", async () => {
    await checkProjectPages(store, "paged");
  });

  it("reads many documents in one request, in the order asked, with undefined for missing and deleted ones", async () => {
    const now = new Date().toISOString();
    const docs = ["m3", "m1", "m2"].map((c) => newProject("many", c, [`/${c}.nc`], { format: "zarr" }, "/w", now));
    const revs = await Promise.all(docs.map((d) => store.put(d)));
    await store.remove("project:many:m2", revs[2] as string);
    const got = (await store.getMany(["project:many:m1", "project:many:none", "project:many:m3", "project:many:m2"])) as Array<ProjectDoc | undefined>;
    expect(got.map((d) => d?.files[0])).toEqual(["/m1.nc", undefined, "/m3.nc", undefined]);
    expect(got[0]?._rev).toBe(revs[1]);
    expect(await readProjects(store, "many", ["m3", "none", "m1"])).toMatchObject([{ code: "m3" }, { code: "m1" }]);
    expect(await store.getMany([])).toEqual([]);
  });

  it("gives each running task's start and budget from the state view, and null for one still queued", async () => {
    const now = new Date().toISOString();
    const base = (code: string) => newProject("tasks", code, ["/a.nc"], { format: "zarr" }, "/w", now);
    const started = { ...base("a"), state: "Computing", config: { format: "zarr", budget: { seconds: 90 } }, phases: { compute: { status: "running", attempts: 1, startedAt: "2026-01-02T03:04:05.000Z" } } } as ProjectDoc;
    const queued = { ...base("b"), state: "Computing", phases: { compute: { status: "queued", attempts: 1 } } } as ProjectDoc;
    const otherState = { ...base("c"), state: "Scanning", phases: { scan: { status: "running", attempts: 1, startedAt: now } } } as ProjectDoc;
    for (const d of [started, queued, otherState]) await store.put(d);
    expect(await store.taskStarts("tasks", "Computing", { skip: 0, limit: 10 })).toEqual([
      { id: "project:tasks:a", startedAt: "2026-01-02T03:04:05.000Z", budgetSeconds: 90 },
      { id: "project:tasks:b", startedAt: null, budgetSeconds: null },
    ]);
    expect(await store.taskStarts("tasks", "Scanning", { skip: 0, limit: 10 })).toEqual([{ id: "project:tasks:c", startedAt: now, budgetSeconds: null }]);
  });

  it("answers undefined for a document that does not exist", async () => {
    expect(await store.get("project:nope:nope")).toBeUndefined();
  });
});
