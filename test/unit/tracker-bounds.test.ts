import { describe, expect, it } from "vitest";
import {
  capError,
  COMPLETION_BATCH,
  MAX_MESSAGE_BYTES,
  deadLetterDoc,
  capIssues,
  capText,
  createMessage,
  fullHistory,
  HISTORY_HIGH,
  HISTORY_KEEP,
  joinHistory,
  MAX_LIST,
  MAX_TEXT,
  readGroup,
  readHistoryDocs,
  readProject,
  trimHistory,
  type ProjectDoc,
} from "@drover/shared";
import { retriesSoFar } from "../../services/shepherd/src/plan.js";
import { ask, register, runToValidated, setup } from "../helpers/tracker.js";

const failure = (message: string) => ({ error: { kind: "SourceFormatError", message, permanent: true } });

describe("bounded sizes", () => {
  it("cuts a long text and a long list with a marker saying how much was left out", () => {
    const cut = capText("x".repeat(10_000_000));
    expect(cut.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(cut).toMatch(/… \(\d+ more characters\)$/);
    expect(capText("short")).toBe("short");
    const issues = Array.from({ length: 5000 }, (_, i) => ({ severity: "warning" as const, code: "c", message: `issue ${i}` }));
    const kept = capIssues(issues);
    expect(kept).toHaveLength(MAX_LIST);
    expect(kept.at(-1)?.message).toMatch(/^… \(4801 more issues/);
    // What a worker sends after cutting passes the schema; the same failure uncut is refused.
    expect(() => createMessage("project.scan.failed", { group: "g", project: "p" }, { ...failure("x".repeat(10_000_000)), issues }, "w")).toThrow(/at most 4096 characters/);
    const m = createMessage("project.scan.failed", { group: "g", project: "p" }, { error: capError(failure("x".repeat(10_000_000)).error), issues: kept }, "w");
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(1024 * 1024);
  });

  it("a real project's failure with a 10 MB error text, cut by its worker, leaves a small document", async () => {
    const t = setup();
    await register(t, ["p"]);
    const scan = t.last("project.scan.request", "p");
    await t.reply("project.scan.failed", scan, { error: capError(failure("E".repeat(10 * 1024 * 1024)).error) });
    const p = await readProject(t.store, "project:g:p");
    expect(p?.state).toBe("ScanFailed");
    const bytes = Buffer.byteLength(JSON.stringify(t.store.docs.get("project:g:p")));
    console.log(`project document after a 10 MB failure: ${bytes} bytes`);
    expect(bytes).toBeLessThan(64 * 1024);
    expect(p?.lastError?.message).toMatch(/more characters\)$/);
  });

  it("keeps a project's document small however often it is retried: older history moves to history documents, read back whole", async () => {
    const t = setup({ maxAttempts: 1 });
    await register(t, ["p"]);
    const rounds = 120;
    for (let i = 0; i < rounds; i++) {
      await t.reply("project.scan.failed", t.last("project.scan.request", "p"), failure(`bad header ${i}: ${"y".repeat(3000)}`));
      expect((await ask(t, "project.retry.request", "p", { by: "op" })).outcome).toBe("done");
    }
    const doc = t.store.docs.get("project:g:p") as ProjectDoc;
    expect(doc.history.length).toBeLessThanOrEqual(HISTORY_HIGH);
    expect(doc.history.length).toBeGreaterThanOrEqual(HISTORY_KEEP);
    // Each reason cut to 1 KiB, at most HISTORY_HIGH entries: the document stays well under 256 KB.
    const bytes = Buffer.byteLength(JSON.stringify(doc));
    console.log(`project document after ${rounds} failed rounds with 3 KB errors: ${bytes} bytes, ${doc.history.length} entries kept`);
    expect(bytes).toBeLessThan(256 * 1024);
    const archives = await readHistoryDocs(t.store, "g", "p");
    expect(archives.length).toBeGreaterThan(0);
    const all = await fullHistory(t.store, doc);
    expect(all.map((h) => h.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    // The whole story from the registration: every failure of every round.
    expect(all[0]?.to).toBe("Registered");
    expect(all.filter((h) => h.to === "ScanFailed")).toHaveLength(rounds);
    // The shepherd counts retries since the registration over the whole history.
    expect(retriesSoFar({ ...doc, history: all }, "scan")).toBe(rounds);
    expect(retriesSoFar(doc, "scan")).toBeLessThan(rounds);
  });

  it("takes a project's archived history along when it is transferred to another group", async () => {
    const t = setup({ maxAttempts: 1 });
    await register(t, ["p"]);
    await t.tracker.handle(await t.registration("h", [{ code: "other", files: ["/data/a.nc"], config: { format: "zarr" } }]));
    for (let i = 0; i < 80; i++) {
      await t.reply("project.scan.failed", t.last("project.scan.request", "p"), failure(`bad ${i}`));
      if (i < 79) await ask(t, "project.retry.request", "p", { by: "op" });
    }
    const before = await fullHistory(t.store, t.store.docs.get("project:g:p") as ProjectDoc);
    expect((await readHistoryDocs(t.store, "g", "p")).length).toBeGreaterThan(0);
    expect((await ask(t, "project.transfer.request", "p", { by: "op", to: "h" })).outcome).toBe("done");
    const moved = t.store.docs.get("project:h:p") as ProjectDoc;
    const after = await fullHistory(t.store, moved);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)?.reason).toMatch(/transferred from group g to h/);
    expect(await readHistoryDocs(t.store, "g", "p")).toEqual([]);
  });

  it("joins archived history of the same registration only", () => {
    const entry = (seq: number) => ({ seq, at: "t", from: null, to: "Registered", event: "e", reason: "r" });
    const doc = { _id: "project:g:p", type: "project", group: "g", code: "p", createdAt: "A", history: Array.from({ length: HISTORY_HIGH + 5 }, (_, i) => entry(i + 1)) } as unknown as ProjectDoc;
    const { doc: kept, archive } = trimHistory(doc);
    expect(kept.history).toHaveLength(HISTORY_KEEP);
    expect(archive?.entries).toHaveLength(HISTORY_HIGH + 5 - HISTORY_KEEP);
    expect(joinHistory(kept, archive ? [archive] : [])).toEqual(doc.history);
    expect(joinHistory({ ...kept, createdAt: "B" }, archive ? [archive] : [])).toEqual(kept.history);
  });
});

describe("a message the bus parked as oversized", () => {
  it("is kept cut, with the bus's reason, its envelope read from its start, and never replayed", () => {
    const m = createMessage("project.scan.failed", { group: "g", project: "p" }, failure("x"), "w");
    const json = JSON.stringify({ ...m, body: { error: { ...m.body.error, message: "E".repeat(2_000_000) } } });
    const cut = Buffer.from(json).subarray(0, 64 * 1024);
    const d = deadLetterDoc({ messageId: m.id, routingKey: m.type, content: cut, queue: "q", reason: `oversized: ${json.length} bytes > 1048576`, explained: true, retries: 0 }, "now");
    expect(d).toMatchObject({ _id: `deadletter:${m.id}`, selector: "project.scan.failed", group: "g", project: "p", truncated: true });
    expect(d.reason).toBe(`oversized: ${json.length} bytes > 1048576`);
  });
});

describe("a project retried after its group completed", () => {
  it("is published once it is Validated again, and the group is Completed with it", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    await runToValidated(t, "p");
    expect((await ask(t, "project.faultlist.request", "q", { by: "op", reason: "broken file" })).outcome).toBe("done");
    const first = t.last("group.complete.request");
    expect(first.body.projects.map((p) => p.code)).toEqual(["p"]);
    await t.reply("group.complete.succeeded", first, { completeDir: "/complete", items: [{ code: "p", product: "/complete/g/data/p.z1.0.zarr", report: "/complete/g/reports/p_z1.0_report.json" }] });
    expect((await readGroup(t.store, "group:g"))?.state).toBe("Completed");

    expect((await ask(t, "project.retry.request", "q", { by: "op" })).outcome).toBe("done");
    await runToValidated(t, "q");
    const second = t.last("group.complete.request");
    expect(second.id).not.toBe(first.id);
    // Only the project not published yet.
    expect(second.body.projects.map((p) => p.code)).toEqual(["q"]);
    expect((await readGroup(t.store, "group:g"))?.state).toBe("Completing");
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Completed");
    await t.reply("group.complete.succeeded", second, { completeDir: "/complete", items: [{ code: "q", product: "/complete/g/data/q.z1.0.zarr", report: "/complete/g/reports/q_z1.0_report.json" }] });
    expect((await readProject(t.store, "project:g:q"))?.state).toBe("Completed");
    expect((await readGroup(t.store, "group:g"))?.state).toBe("Completed");
    // Nothing more to publish: no third request.
    await t.tracker.sweep();
    await t.tracker.idle();
    expect(t.sent.filter((m) => m.type === "group.complete.request")).toHaveLength(2);
  });
});

describe("a group larger than one completion request", () => {
  it("is published a batch at a time, each request under the bus's bound, and Completed after the last", async () => {
    // Whole-group reads while a batch's publication is recorded: none (the batch is read by id).
    let listing = false;
    let groupReads = 0;
    const t = setup({}, (s) => ({ ...s, list: (prefix, page) => ((groupReads += listing && prefix.startsWith("project:") ? 1 : 0), s.list(prefix, page)) }));
    const codes = Array.from({ length: 2 * COMPLETION_BATCH + 50 }, (_, i) => `p${String(i).padStart(5, "0")}`);
    await register(t, codes);
    for (const c of codes) await runToValidated(t, c);
    const published: string[] = [];
    const requests: string[] = [];
    for (const expected of [COMPLETION_BATCH, COMPLETION_BATCH, 50]) {
      const req = t.last("group.complete.request");
      expect(requests).not.toContain(req.id);
      requests.push(req.id);
      expect(req.body.projects).toHaveLength(expected);
      expect(Buffer.byteLength(JSON.stringify(req))).toBeLessThan(MAX_MESSAGE_BYTES);
      expect((await readGroup(t.store, "group:g"))?.state).toBe("Completing");
      // Every project not published yet waits in Completing, in this batch or a later one.
      const states = await Promise.all(codes.filter((c) => !published.includes(c)).map(async (c) => (await readProject(t.store, `project:g:${c}`))?.state));
      expect(new Set(states)).toEqual(new Set(["Completing"]));
      const items = req.body.projects.map((p) => ({ code: p.code, product: `/complete/g/data/${p.code}.json`, report: `/complete/g/reports/${p.code}.json` }));
      listing = true;
      await t.reply("group.complete.succeeded", req, { completeDir: "/complete", items });
      listing = false;
      published.push(...items.map((i) => i.code));
    }
    expect(published.sort()).toEqual(codes);
    expect(groupReads).toBe(0);
    const g = await readGroup(t.store, "group:g");
    expect(g?.state).toBe("Completed");
    expect(g?.history.at(-1)?.reason).toContain(`${codes.length} products published`);
    expect((await readProject(t.store, `project:g:${codes.at(-1)}`))?.outputs.completedProduct).toBe(`/complete/g/data/${codes.at(-1)}.json`);
    expect(t.sent.filter((m) => m.type === "group.complete.request")).toHaveLength(3);
  });
});
