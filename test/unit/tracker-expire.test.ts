import { describe, expect, it } from "vitest";
import { createMessage, DEAD_LETTER_KEEP_BYTES, listDeadLetters, readProject, type ProjectDoc } from "@drover/shared";
import { register, setup } from "../helpers/tracker.js";

// Nothing stuck silently: the state-tracker's periodic pass sends again a task that started too
// long ago (then fails it with the reason), re-sends what an outbox kept, and a start survives a
// document that no longer parses.

const HOUR = 3600_000;

async function startedAgo(t: ReturnType<typeof setup>, code: string, ms: number): Promise<void> {
  const doc = await readProject(t.store, `project:g:${code}`);
  if (!doc?.phases.scan) throw new Error("no scan record");
  await t.store.put({ ...doc, phases: { ...doc.phases, scan: { ...doc.phases.scan, startedAt: new Date(Date.now() - ms).toISOString() } } } as ProjectDoc);
}

describe("the state-tracker's periodic pass", () => {
  it("sends a task that started longer ago than its budget allows again, then fails it with the reason", async () => {
    const t = setup({ maxAttempts: 2 });
    await register(t, ["lost", "queued", "young"]);
    await startedAgo(t, "lost", 2 * HOUR);
    await startedAgo(t, "young", 0.5 * HOUR);
    // "queued" never started: waiting in its queue is not being lost.
    expect(await t.tracker.expire()).toEqual({ resent: 0, expired: 1 });
    const again = t.last("project.scan.request", "lost");
    expect(again.attempt).toBe(2);
    const p = await readProject(t.store, "project:g:lost");
    expect(p?.history.at(-1)?.reason).toMatch(/^lost: no worker finished scan in 720\d s \(its budget and a margin: 4620 s\); attempt 2\/2$/);
    expect(p?.state).toBe("Scanning");
    await startedAgo(t, "lost", 2 * HOUR);
    expect((await t.tracker.expire()).expired).toBe(1);
    const failed = await readProject(t.store, "project:g:lost");
    expect(failed?.state).toBe("ScanFailed");
    expect(failed?.lastError).toMatchObject({ kind: "TransientError", permanent: false });
    expect(failed?.lastError?.message).toMatch(/^lost: no worker finished scan in \d+ s .*, 2 attempts$/);
    expect((await readProject(t.store, "project:g:queued"))?.state).toBe("Scanning");
    expect((await readProject(t.store, "project:g:young"))?.history).toHaveLength(2);
  });

  it("reads no project document while a large group's tasks wait in their queues or run within their budgets", async () => {
    let reads = 0;
    const t = setup({}, (s) => ({ ...s, get: (id) => ((reads += id.startsWith("project:") ? 1 : 0), s.get(id)), getMany: (ids) => ((reads += ids.length), s.getMany(ids)), projectsInState: (...a) => ((reads += 1_000_000), s.projectsInState(...a)) }));
    const codes = Array.from({ length: 60 }, (_, i) => `p${i}`);
    await register(t, codes);
    for (const c of codes.slice(0, 20)) await startedAgo(t, c, 0.5 * HOUR);
    await startedAgo(t, "p59", 2 * HOUR);
    reads = 0;
    expect(await t.tracker.expire()).toEqual({ resent: 0, expired: 1 });
    // The lost one only: read to change it.
    expect(reads).toBe(1);
    expect(t.last("project.scan.request", "p59").attempt).toBe(2);
  });

  it("uses the project's own time budget", async () => {
    const t = setup();
    await t.tracker.handle(await t.registration("g", [{ code: "p", files: ["/data/a.nc"], config: { format: "kerchunk", budget: { seconds: 60 } } }]));
    await startedAgo(t, "p", 5 * 60_000);
    expect((await t.tracker.expire()).expired).toBe(1);
  });

  it("re-sends a message an outbox has kept for a minute, and leaves a fresh one to its writer", async () => {
    const t = setup();
    await register(t, ["p"]);
    const doc = await readProject(t.store, "project:g:p");
    if (!doc) throw new Error("no project");
    const old = { ...createMessage("project.state.changed", { group: "g", project: "p" }, { from: "Registered", to: "Scanning", reason: "x", seq: 9 }, "t"), sentAt: new Date(Date.now() - 120_000).toISOString() };
    await t.store.put({ ...doc, outbox: [old] } as ProjectDoc);
    expect((await t.tracker.expire()).resent).toBe(1);
    expect(t.sent.some((m) => m.id === old.id)).toBe(true);
    const fresh = createMessage("project.state.changed", { group: "g", project: "p" }, { from: "Registered", to: "Scanning", reason: "y", seq: 10 }, "t");
    const now = await readProject(t.store, "project:g:p");
    await t.store.put({ ...now, outbox: [fresh] } as ProjectDoc);
    expect((await t.tracker.expire()).resent).toBe(0);
  });

  it("starts despite a document that no longer matches its schema", async () => {
    const t = setup();
    await register(t, ["p"]);
    // Written by hand or by another version: the schema check must not stop the tracker.
    const brokenGroup = { _id: "group:broken", type: "group", name: "broken", state: "Exploded" };
    const brokenProject = { _id: "project:broken:x", type: "project", outbox: [{ nonsense: true }] };
    await t.store.put(brokenGroup);
    await t.store.put(brokenProject);
    await expect(t.tracker.recover()).resolves.toBeGreaterThanOrEqual(0);
    await expect(t.tracker.expire()).resolves.toMatchObject({ expired: 0 });
  });
});

describe("parked messages", () => {
  it("are kept for operators, and a project waiting on a parked request fails with the reason", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    const request = t.last("project.scan.request", "p");
    const parked = { messageId: request.id, routingKey: request.type, content: Buffer.from(JSON.stringify(request)), queue: "drover.scanner.project.scan.request", reason: "rejected by drover.scanner.project.scan.request", retries: 15 };
    await t.tracker.parked(parked);
    await t.tracker.parked(parked); // redelivered: kept once, changes nothing more
    const p = await readProject(t.store, "project:g:p");
    expect(p?.state).toBe("ScanFailed");
    expect(p?.lastError).toMatchObject({ kind: "TransientError", permanent: false, message: "the scan request was parked in the dead-letter queue: rejected by drover.scanner.project.scan.request after 15 retries" });
    expect(p?.history.filter((h) => h.to === "ScanFailed")).toHaveLength(1);
    const kept = await listDeadLetters(t.store);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ selector: "project.scan.request", group: "g", project: "p", truncated: false });
    // A parked request the project no longer waits on (an older attempt) changes nothing.
    const stale = { ...t.last("project.scan.request", "q"), id: "00000000-0000-4000-8000-000000000000" };
    await t.tracker.parked({ ...parked, messageId: stale.id, content: Buffer.from(JSON.stringify(stale)) });
    expect((await readProject(t.store, "project:g:q"))?.state).toBe("Scanning");
  });

  it("keeps two different messages that share an id as two documents, a redelivery as one", async () => {
    const t = setup();
    const body = (n: number) => Buffer.from(JSON.stringify({ type: "project.scan.request", id: "forged-id", group: "nowhere", project: `x${n}` }));
    const m = (n: number) => ({ messageId: "forged-id", routingKey: "project.scan.request", content: body(n), queue: "q", reason: "refused: no such group", explained: true, retries: 0 });
    await t.tracker.parked(m(1));
    await t.tracker.parked(m(2));
    await t.tracker.parked(m(2)); // the same message again
    const kept = await listDeadLetters(t.store);
    expect(kept.map((d) => d.project).sort()).toEqual(["x1", "x2"]);
    expect(kept.find((d) => d.project === "x1")?._id).toBe("deadletter:forged-id");
  });

  it("keeps garbage as text, cut to a bounded size", async () => {
    const t = setup();
    await t.tracker.parked({ messageId: undefined, routingKey: "project.compute.succeeded", content: Buffer.alloc(200_000, 120), queue: "q", reason: "rejected by q", retries: 0 });
    const [d] = await listDeadLetters(t.store);
    expect(d).toMatchObject({ selector: "project.compute.succeeded", reason: "not a drover message (not JSON, or no envelope)", truncated: true });
    expect(d?.content).toHaveLength(DEAD_LETTER_KEEP_BYTES);
  });
});
