import { describe, expect, it } from "vitest";
import { createMessage, readProject, type ProjectDoc } from "@drover/shared";
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
