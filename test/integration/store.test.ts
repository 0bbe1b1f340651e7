import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, ProjectDocSchema, newProject, openCouchStore, readProject, updateDoc, type DocStore, type ProjectDoc } from "@drover/shared";
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

  it("answers undefined for a document that does not exist", async () => {
    expect(await store.get("project:nope:nope")).toBeUndefined();
  });
});
