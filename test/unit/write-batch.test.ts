import { describe, expect, it } from "vitest";
import { createWriteBatcher, type RowOutcome } from "../../shared/src/write-batch.js";

// A fake database behind the batcher: documents by id with a revision counter, the batches it
// was sent, and a gate that holds a batch until the test lets it go.

interface D {
  _id: string;
  _rev?: string | undefined;
  v: number;
}

class Conflict extends Error {
  constructor(readonly id: string) {
    super(`conflict on ${id}`);
  }
}

function fakeDb() {
  const revs = new Map<string, string>();
  const batches: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const db = {
    batches,
    revs,
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release: () => open(),
    fail: undefined as Error | undefined,
    async writeMany(docs: D[]): Promise<RowOutcome[]> {
      batches.push(docs.map((d) => d._id));
      await gate;
      if (db.fail) throw db.fail;
      return docs.map((d): RowOutcome => {
        if (revs.get(d._id) !== d._rev) return { conflict: true };
        if (d.v < 0) return { error: new Error(`refused ${d._id}`) };
        const next = `${Number(d._rev?.split("-")[0] ?? 0) + 1}-x`;
        revs.set(d._id, next);
        return { rev: next };
      });
    },
  };
  return db;
}

const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: v }), (e: unknown) => ({ err: e as Error }));

describe("gathered writes (write-batch)", () => {
  it("sends writes made in one turn as one batch, each with its own outcome", async () => {
    const db = fakeDb();
    const put = createWriteBatcher<D>((d) => db.writeMany(d), (id) => new Conflict(id), { maxBatch: 10, maxInFlight: 1 });
    db.revs.set("b", "1-x");
    const out = await Promise.all([settle(put({ _id: "a", v: 1 })), settle(put({ _id: "b", v: 1 })), settle(put({ _id: "c", v: -1 })), settle(put({ _id: "d", _rev: "1-x", v: 1 }))]);
    expect(db.batches).toEqual([["a", "b", "c", "d"]]);
    expect(out[0]).toEqual({ ok: "1-x" });
    // b exists at 1-x and was written without a _rev: only b conflicts
    expect((out[1] as { err: Error }).err).toBeInstanceOf(Conflict);
    expect((out[1] as { err: Conflict }).err.id).toBe("b");
    expect((out[2] as { err: Error }).err.message).toBe("refused c");
    expect((out[3] as { err: Error }).err).toBeInstanceOf(Conflict);
    expect(db.revs.get("a")).toBe("1-x");
    expect(db.revs.has("c")).toBe(false);
  });

  it("gathers the writes that arrive while a batch is being written into the next one", async () => {
    const db = fakeDb();
    const put = createWriteBatcher<D>((d) => db.writeMany(d), (id) => new Conflict(id), { maxBatch: 10, maxInFlight: 1 });
    db.hold();
    const first = put({ _id: "a", v: 1 });
    await new Promise((r) => setImmediate(r));
    expect(db.batches).toEqual([["a"]]);
    const later = [put({ _id: "b", v: 1 }), put({ _id: "c", v: 1 })];
    await new Promise((r) => setTimeout(r, 5));
    expect(db.batches).toEqual([["a"]]); // nothing more is sent while one batch is out
    db.release();
    await Promise.all([first, ...later]);
    expect(db.batches).toEqual([["a"], ["b", "c"]]);
  });

  it("sends a document written twice in two batches, in order, so the second meets the first's _rev", async () => {
    const db = fakeDb();
    const put = createWriteBatcher<D>((d) => db.writeMany(d), (id) => new Conflict(id), { maxBatch: 10, maxInFlight: 1 });
    const one = settle(put({ _id: "a", v: 1 }));
    const two = settle(put({ _id: "a", _rev: "1-x", v: 2 }));
    const other = settle(put({ _id: "b", v: 1 }));
    expect(await one).toEqual({ ok: "1-x" });
    expect(await two).toEqual({ ok: "2-x" });
    expect(await other).toEqual({ ok: "1-x" });
    expect(db.batches).toEqual([["a", "b"], ["a"]]);
  });

  it("keeps batches to maxBatch documents", async () => {
    const db = fakeDb();
    const put = createWriteBatcher<D>((d) => db.writeMany(d), (id) => new Conflict(id), { maxBatch: 3, maxInFlight: 1 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => put({ _id: `d${i}`, v: 1 })));
    expect(db.batches.map((b) => b.length)).toEqual([3, 3, 2]);
    expect(db.batches.flat()).toEqual(Array.from({ length: 8 }, (_, i) => `d${i}`));
  });

  it("fails every write of a batch whose request failed, and only those", async () => {
    const db = fakeDb();
    const put = createWriteBatcher<D>((d) => db.writeMany(d), (id) => new Conflict(id), { maxBatch: 10, maxInFlight: 1 });
    db.fail = new Error("database away");
    const failed = await Promise.all([settle(put({ _id: "a", v: 1 })), settle(put({ _id: "b", v: 1 }))]);
    expect(failed.map((r) => (r as { err: Error }).err.message)).toEqual(["database away", "database away"]);
    db.fail = undefined;
    expect(await put({ _id: "a", v: 1 })).toBe("1-x");
  });

  it("refuses options that would never write", () => {
    expect(() => createWriteBatcher<D>(async () => [], (id) => new Conflict(id), { maxBatch: 0, maxInFlight: 1 })).toThrow(/at least 1/);
  });
});
