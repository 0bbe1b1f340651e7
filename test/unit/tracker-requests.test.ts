import { describe, expect, it } from "vitest";
import { createMessage, readGroup, readProject, type GroupDoc, type LaunchProject, type ProjectDoc } from "@drover/shared";
import { answerTo, ask, computeOk, register, runToWarnings, scanOk, setup, validateOk } from "../helpers/tracker.js";

// The state-tracker's side of the shepherd and the operator's commands: groups the shepherd
// drives (projects rest between phases until admitted), quarantine and release, reject, retry
// with overrides or of a lost task, a group that follows its file (sync), and where it publishes.

const project = (code: string, files = ["/data/a.nc"]): LaunchProject => ({ code, files, config: { format: "kerchunk" } });
const scans = (t: ReturnType<typeof setup>, code: string) => t.sent.filter((m) => m.type === "project.scan.request" && m.project === code);

async function shepherdGroup(t: ReturnType<typeof setup>, codes: string[]) {
  await t.tracker.handle(await t.registration("g", codes.map((c) => project(c)), { driver: "shepherd", completeDir: "/flock-complete", fileHash: "h1" }));
}

describe("a group the shepherd drives", () => {
  it("registers its projects at rest and starts a phase only when admitted", async () => {
    const t = setup();
    await shepherdGroup(t, ["p", "q"]);
    expect(t.sent.filter((m) => m.type === "project.scan.request")).toHaveLength(0);
    expect(await readGroup(t.store, "group:g")).toMatchObject({ driver: "shepherd", completeDir: "/flock-complete", fileHash: "h1", state: "Active" });
    expect(await ask(t, "project.advance.request", "p", { by: "shepherd" })).toMatchObject({ outcome: "done", state: "Scanning" });
    // Admitting it again while it is in flight changes nothing.
    expect(await ask(t, "project.advance.request", "p", { by: "shepherd" })).toMatchObject({ outcome: "unchanged", state: "Scanning" });
    expect(scans(t, "p")).toHaveLength(1);
    await t.reply("project.scan.succeeded", t.last("project.scan.request", "p"), scanOk());
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Scanned");
    expect(t.sent.filter((m) => m.type === "project.compute.request")).toHaveLength(0);
    expect(await ask(t, "project.advance.request", "p", { by: "shepherd" })).toMatchObject({ outcome: "done", state: "Computing" });
  });

  it("publishes a completed group into the directory it was registered with", async () => {
    const t = setup();
    await shepherdGroup(t, ["p"]);
    await ask(t, "project.advance.request", "p", { by: "shepherd" });
    await t.reply("project.scan.succeeded", t.last("project.scan.request", "p"), scanOk());
    await ask(t, "project.advance.request", "p", { by: "shepherd" });
    await t.reply("project.compute.succeeded", t.last("project.compute.request", "p"), computeOk);
    await ask(t, "project.advance.request", "p", { by: "shepherd" });
    await t.reply("project.validate.succeeded", t.last("project.validate.request", "p"), validateOk());
    expect(t.last("group.complete.request").body.completeDir).toBe("/flock-complete");
  });

  it("refuses to advance a project that has nowhere to go", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "SourceFormatError", message: "truncated", permanent: true, file: "/data/a.nc" } });
    const a = await ask(t, "project.advance.request", "p", { by: "shepherd" });
    expect(a).toMatchObject({ outcome: "refused", state: "ScanFailed" });
  });
});

describe("quarantine, release and reject", () => {
  it("quarantines a failed project with its reason, holds its group, and releases it to be scanned again", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "SourceFormatError", message: "not HDF5", permanent: true, file: "/data/a.nc" } });
    expect(await ask(t, "project.quarantine.request", "p", { by: "shepherd", reason: "SourceFormatError in file /data/a.nc: not HDF5" })).toMatchObject({ outcome: "done", state: "Quarantined" });
    const p = await readProject(t.store, "project:g:p");
    expect(p?.quarantineReason).toBe("SourceFormatError in file /data/a.nc: not HDF5");
    expect(p?.history.at(-1)?.reason).toBe("quarantined by shepherd: SourceFormatError in file /data/a.nc: not HDF5");
    // q completes its phases; the group must not complete while p is quarantined.
    await t.reply("project.scan.succeeded", t.last("project.scan.request", "q"), scanOk());
    await t.reply("project.compute.succeeded", t.last("project.compute.request", "q"), computeOk);
    await t.reply("project.validate.succeeded", t.last("project.validate.request", "q"), validateOk());
    const g = await readGroup(t.store, "group:g");
    expect(g?.state).toBe("Incomplete");
    expect(g?.reasons.join("\n")).toContain("p: Quarantined: SourceFormatError in file /data/a.nc: not HDF5; release it with 'drover release g p'");
    expect(t.sent.some((m) => m.type === "group.complete.request")).toBe(false);
    expect(await ask(t, "project.release.request", "p", { by: "op" })).toMatchObject({ outcome: "done", state: "Scanning" });
    expect((await readProject(t.store, "project:g:p"))?.quarantineReason).toBeUndefined();
    expect(scans(t, "p")).toHaveLength(2);
  });

  it("refuses to quarantine a project in progress or to release one that is not quarantined", async () => {
    const t = setup();
    await register(t, ["p"]);
    expect(await ask(t, "project.quarantine.request", "p", { by: "op", reason: "x" })).toMatchObject({ outcome: "refused", state: "Scanning" });
    expect(await ask(t, "project.release.request", "p", { by: "op" })).toMatchObject({ outcome: "refused" });
  });

  it("sends a rejected warning back to compute with the note in its history", async () => {
    const t = setup();
    await register(t, ["p"]);
    await runToWarnings(t, "p");
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("ValidatedWithWarnings");
    expect(await ask(t, "project.reject.request", "p", { by: "op", note: "title is wrong" })).toMatchObject({ outcome: "done", state: "Computing" });
    const p = await readProject(t.store, "project:g:p");
    expect(p?.history.at(-1)?.reason).toBe("warnings rejected by op: title is wrong; compute again");
    expect(t.sent.filter((m) => m.type === "project.compute.request")).toHaveLength(2);
  });

  it("takes a project off the faultlist", async () => {
    const t = setup();
    await register(t, ["p"]);
    await ask(t, "project.faultlist.request", "p", { by: "op", reason: "withdrawn" });
    expect(await ask(t, "project.unfaultlist.request", "p", { by: "op" })).toMatchObject({ outcome: "done", state: "Scanning" });
    expect((await readProject(t.store, "project:g:p"))?.faultlistReason).toBeUndefined();
  });
});

describe("retry with overrides, and of a lost task", () => {
  it("runs the phase with the overrides and keeps them in the project's config", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "ConcatFatalError", message: "no concat dim", permanent: true } });
    const a = await ask(t, "project.retry.request", "p", { by: "op", phase: "scan", overrides: { concatDim: "time", budget: { seconds: 7200, memoryMb: 4096 } } });
    expect(a).toMatchObject({ outcome: "done", state: "Scanning" });
    expect(t.last("project.scan.request", "p").body.config).toEqual({ format: "zarr", concatDim: "time", budget: { seconds: 7200, memoryMb: 4096 } });
    expect((await readProject(t.store, "project:g:p"))?.config.concatDim).toBe("time");
  });

  it("re-queues a project in progress only once its task is older than the limit, counting the attempt", async () => {
    const t = setup();
    await register(t, ["p"]);
    expect(await ask(t, "project.retry.request", "p", { by: "shepherd", lostAfterSeconds: 3600 })).toMatchObject({ outcome: "unchanged", state: "Scanning" });
    // Queued an hour and a minute ago but never started: waiting in its queue, not lost.
    const doc = await readProject(t.store, "project:g:p");
    const old = new Date(Date.now() - 3660_000).toISOString();
    if (!doc?.phases.scan) throw new Error("no scan record");
    await t.store.put({ ...doc, phases: { ...doc.phases, scan: { ...doc.phases.scan, queuedAt: old } } } as ProjectDoc);
    expect(await ask(t, "project.retry.request", "p", { by: "shepherd", lostAfterSeconds: 3600 })).toMatchObject({ outcome: "unchanged", state: "Scanning" });
    // Started that long ago: lost.
    const queued = await readProject(t.store, "project:g:p");
    if (!queued?.phases.scan) throw new Error("no scan record");
    await t.store.put({ ...queued, phases: { ...queued.phases, scan: { ...queued.phases.scan, startedAt: old } } } as ProjectDoc);
    const a = await ask(t, "project.retry.request", "p", { by: "shepherd", lostAfterSeconds: 3600 });
    expect(a).toMatchObject({ outcome: "done", state: "Scanning" });
    expect(a.message).toMatch(/^lost: no worker finished scan in 366\d s \(limit 3600 s\)/);
    expect(scans(t, "p").map((m) => m.attempt)).toEqual([1, 2]);
  });
});

describe("a group that follows its file (sync)", () => {
  it("adds new projects, starts changed ones over, retires unlisted ones and leaves the rest", async () => {
    const t = setup();
    await shepherdGroup(t, ["keep", "change", "drop"]);
    await ask(t, "project.advance.request", "keep", { by: "shepherd" });
    const sync = await t.registration("g", [project("keep"), project("change", ["/data/b.nc"]), project("new")], { driver: "shepherd", sync: true, fileHash: "h2", groupFile: "/flock/g.csv" });
    await t.tracker.handle(sync);
    expect(answerTo(t, sync)).toMatchObject({ outcome: "done" });
    expect(answerTo(t, sync).message).toBe("group g follows /flock/g.csv: 2 projects new or changed, 1 no longer listed retired, 1 unchanged");
    expect((await readProject(t.store, "project:g:keep"))?.state).toBe("Scanning");
    const changed = await readProject(t.store, "project:g:change");
    expect(changed).toMatchObject({ state: "Registered", files: ["/data/b.nc"], driver: "shepherd" });
    expect((await readProject(t.store, "project:g:new"))?.state).toBe("Registered");
    const dropped = await readProject(t.store, "project:g:drop");
    expect(dropped).toMatchObject({ state: "Faultlisted", faultlistReason: "retired: no longer listed in /flock/g.csv" });
    expect(await readGroup(t.store, "group:g")).toMatchObject({ fileHash: "h2", groupFile: "/flock/g.csv", projects: ["keep", "change", "drop", "new"] });
  });

  it("a registration message that is not a sync never retires anything", async () => {
    const t = setup();
    await shepherdGroup(t, ["a", "b"]);
    const m = createMessage("group.register.request", { group: "g" }, { groupFile: "/g.csv", launch: "x", chunks: 1, projects: 1 }, "cli@test");
    expect(m.body.sync).toBe(false);
    await t.tracker.handle(await t.registration("g", [project("a")], { driver: "shepherd", fileHash: "h1" }));
    expect((await readProject(t.store, "project:g:b"))?.state).toBe("Registered");
  });
});

describe("transfer", () => {
  it("moves a project at rest into another group with its history, once, even when the request comes twice", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    await t.tracker.handle(await t.registration("h", [project("r")]));
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "ConcatFatalError", message: "units differ", permanent: true } });
    const m = createMessage("project.transfer.request", { group: "g", project: "p" }, { by: "op", to: "h" }, "cli@test");
    await t.tracker.handle(m);
    expect(answerTo(t, m)).toMatchObject({ outcome: "done", state: "ScanFailed", message: "transferred from group g to h" });
    await t.tracker.handle(m); // redelivered
    expect(await readProject(t.store, "project:g:p")).toBeUndefined();
    const moved = await readProject(t.store, "project:h:p");
    expect(moved).toMatchObject({ group: "h", state: "ScanFailed", lastError: { kind: "ConcatFatalError" } });
    expect(moved?.history.at(-1)?.reason).toBe("transferred from group g to h by op");
    expect(moved?.history.filter((h) => h.event === "project.transfer.request")).toHaveLength(1);
    expect((await readGroup(t.store, "group:g"))?.projects).toEqual(["q"]);
    expect((await readGroup(t.store, "group:h"))?.projects).toEqual(["r", "p"]);
  });

  it("refuses a project in progress, a missing group and a name already taken", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.tracker.handle(await t.registration("h", [project("p")]));
    expect(await ask(t, "project.transfer.request", "p", { by: "op", to: "h" })).toMatchObject({ outcome: "refused", message: "group h already has a project p" });
    expect(await ask(t, "project.transfer.request", "p", { by: "op", to: "nowhere" })).toMatchObject({ outcome: "refused" });
    await t.tracker.handle(await t.registration("k", [project("z")]));
    const a = await ask(t, "project.transfer.request", "p", { by: "op", to: "k" });
    expect(a).toMatchObject({ outcome: "refused" });
    expect(a.message).toContain("p is Scanning; only a project at rest");
  });
});

describe("requests planned on a state the project has left", () => {
  it("change nothing: a stale retry does not undo an operator's quarantine", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "TransientError", message: "EIO", permanent: false } });
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "TransientError", message: "EIO", permanent: false } });
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "TransientError", message: "EIO", permanent: false } });
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("ScanFailed");
    await ask(t, "project.quarantine.request", "p", { by: "op", reason: "files being replaced" });
    const a = await ask(t, "project.retry.request", "p", { by: "shepherd", phase: "scan", expect: ["ScanFailed"] });
    expect(a).toMatchObject({ outcome: "unchanged", state: "Quarantined" });
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Quarantined");
  });
});

describe("sync edge cases", () => {
  it("registers anew a retired project listed again, and refuses a sync of a completed group", async () => {
    const t = setup();
    await shepherdGroup(t, ["a", "b"]);
    await t.tracker.handle(await t.registration("g", [project("a")], { driver: "shepherd", sync: true, fileHash: "h2" }));
    expect((await readProject(t.store, "project:g:b"))?.state).toBe("Faultlisted");
    await t.tracker.handle(await t.registration("g", [project("a"), project("b")], { driver: "shepherd", sync: true, fileHash: "h3" }));
    expect(await readProject(t.store, "project:g:b")).toMatchObject({ state: "Registered" });
    const g = await readGroup(t.store, "group:g");
    if (!g) throw new Error("no group");
    await t.store.put({ ...g, state: "Completed" } as GroupDoc);
    const late = await t.registration("g", [project("a"), project("b"), project("c")], { driver: "shepherd", sync: true, fileHash: "h4" });
    await t.tracker.handle(late);
    expect(answerTo(t, late)).toMatchObject({ outcome: "refused" });
    expect(answerTo(t, late).message).toContain("drop the file under a new name");
    expect(await readProject(t.store, "project:g:c")).toBeUndefined();
  });

  it("refuses to transfer into a completed group or between groups the shepherd drives", async () => {
    const t = setup();
    await shepherdGroup(t, ["p"]);
    await t.tracker.handle(await t.registration("h", [project("r")]));
    expect((await ask(t, "project.transfer.request", "p", { by: "op", to: "h" })).message).toContain("follow their group files");
    const h = await readGroup(t.store, "group:h");
    if (!h) throw new Error("no group");
    await t.store.put({ ...h, state: "Completed" } as GroupDoc);
    await t.tracker.handle(await t.registration("k", [project("z")]));
    await ask(t, "project.faultlist.request", "z", { by: "op", reason: "x" }, "k");
    expect((await ask(t, "project.transfer.request", "z", { by: "op", to: "h" }, "k")).message).toContain("group h is Completed");
  });
});
