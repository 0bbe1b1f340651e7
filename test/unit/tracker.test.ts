import { describe, expect, it } from "vitest";
import {
  createMemoryStore,
  createMessage,
  describeMove,
  readGroup,
  readProject,
  silentLogger,
  type Body,
  type BodyInput,
  type ProjectDoc,
  type Message,
  type DocStore,
  type Selector,
  type LaunchProject,
  storeLaunch,
} from "@drover/shared";
import { createTracker } from "../../services/state-tracker/src/tracker.js";
import { answerTo, ask, computeOk, register, runToValidated, runToWarnings, scanOk, setup, validateOk } from "../helpers/tracker.js";

describe("the state-tracker", () => {
  it("registers a group and drives each project through every phase to completion", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    expect(t.last("project.scan.request", "p").body).toEqual({ files: ["/data/a.nc", "/data/b.nc"], config: { format: "zarr" }, workDir: "/work/in_progress/g/p" });
    await runToValidated(t, "p");
    expect((await readGroup(t.store, "group:g"))?.state).toBe("Active");
    await runToValidated(t, "q");
    const req = t.last("group.complete.request");
    expect(req.body.projects.map((p) => p.code)).toEqual(["p", "q"]);
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Completing");
    await t.reply("group.complete.succeeded", req, {
      completeDir: "/complete",
      items: ["p", "q"].map((code) => ({ code, product: `/complete/g/data/${code}.z1.0.zarr`, report: `/complete/g/reports/${code}_z1.0_report.json` })),
    });
    const g = await readGroup(t.store, "group:g");
    expect(g?.state).toBe("Completed");
    const p = await readProject(t.store, "project:g:p");
    expect(p?.state).toBe("Completed");
    expect(p?.outputs.completedProduct).toBe("/complete/g/data/p.z1.0.zarr");
    expect(p?.history.map((h) => h.to)).toEqual(["Registered", "Scanning", "Scanned", "Computing", "Computed", "Validating", "Validated", "Completing", "Completed"]);
    expect(p?.phases.scan).toMatchObject({ status: "succeeded", attempts: 1, worker: "scanner@1" });
    expect(p?.outbox).toEqual([]);
    expect(t.sent.filter((m) => m.type === "project.state.changed" && m.project === "p")).toHaveLength(8);
  });

  it("ignores duplicate and stale results", async () => {
    const t = setup();
    await register(t, ["p"]);
    const scan = t.last("project.scan.request", "p");
    await t.reply("project.scan.succeeded", scan, scanOk());
    const before = await readProject(t.store, "project:g:p");
    await t.reply("project.scan.succeeded", scan, scanOk(99));
    await t.reply("project.scan.failed", scan, { error: { kind: "SourceFormatError", message: "late", permanent: true } });
    const after = await readProject(t.store, "project:g:p");
    expect(after?.history).toEqual(before?.history);
    expect(after?.scan?.files).toBe(2);
    expect(t.sent.filter((m) => m.type === "project.compute.request")).toHaveLength(1);
  });

  it("retries a transient failure up to the limit, then records the failure", async () => {
    const t = setup({ maxAttempts: 2 });
    await register(t, ["p"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "TransientError", message: "EIO", permanent: false } });
    const retry = t.last("project.scan.request", "p");
    expect(retry.attempt).toBe(2);
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Scanning");
    await t.reply("project.scan.failed", retry, { error: { kind: "TransientError", message: "EIO again", permanent: false } });
    const p = await readProject(t.store, "project:g:p");
    expect(p?.state).toBe("ScanFailed");
    expect(p?.lastError?.message).toBe("EIO again");
    expect(p?.history.at(-1)?.reason).toMatch(/gave up after 2 attempts/);
    const g = await readGroup(t.store, "group:g");
    expect(g?.state).toBe("Incomplete");
    expect(g?.reasons).toEqual(["p: ScanFailed: TransientError: EIO again"]);
  });

  it("never retries a permanent failure, and an operator retry starts the phase again", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "p"), { error: { kind: "SourceFormatError", message: "/data/b.nc: truncated", permanent: true, file: "/data/b.nc" } });
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("ScanFailed");
    expect(t.sent.filter((m) => m.type === "project.scan.request")).toHaveLength(1);
    await t.tracker.handle(createMessage("project.retry.request", { group: "g", project: "p" }, { by: "op" }, "cli"));
    expect(t.sent.filter((m) => m.type === "project.scan.request")).toHaveLength(2);
    expect((await readGroup(t.store, "group:g"))?.state).toBe("Active");
  });

  it("holds warnings for an operator and completes once they are accepted", async () => {
    const t = setup();
    await register(t, ["p"]);
    await runToWarnings(t, "p");
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("ValidatedWithWarnings");
    expect((await readGroup(t.store, "group:g"))?.reasons[0]).toMatch(/accept it with 'drover accept g p'/);
    await t.tracker.handle(createMessage("project.accept.request", { group: "g", project: "p" }, { by: "ana", note: "titles differ on purpose" }, "cli"));
    const p = await readProject(t.store, "project:g:p");
    expect(p).toMatchObject({ state: "Completing", acceptedBy: "ana" });
    expect(t.last("group.complete.request").body.projects).toHaveLength(1);
  });

  it("refuses illegal operator requests and leaves the project as it was", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.tracker.handle(createMessage("project.accept.request", { group: "g", project: "p" }, { by: "op" }, "cli"));
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Scanning");
  });

  it("completes a group without its faultlisted projects", async () => {
    const t = setup();
    await register(t, ["p", "bad"]);
    await t.reply("project.scan.failed", t.last("project.scan.request", "bad"), { error: { kind: "SourceFormatError", message: "corrupt", permanent: true } });
    await t.tracker.handle(createMessage("project.faultlist.request", { group: "g", project: "bad" }, { by: "op", reason: "tape copy damaged" }, "cli"));
    await runToValidated(t, "p");
    expect(t.last("group.complete.request").body.projects.map((x) => x.code)).toEqual(["p"]);
    expect((await readProject(t.store, "project:g:bad"))?.faultlistReason).toBe("tape copy damaged");
  });

  it("sends after a crash what it had decided but not published (the outbox)", async () => {
    const t = setup();
    await register(t, ["p"]);
    t.setFailPublish(true);
    await expect(t.reply("project.scan.succeeded", t.last("project.scan.request", "p"), scanOk())).rejects.toThrow(/broker away/);
    const stuck = await readProject(t.store, "project:g:p");
    expect(stuck?.state).toBe("Computing");
    expect(stuck?.outbox.map((m) => m.type)).toEqual(["project.state.changed", "project.state.changed", "project.compute.request"]);
    t.setFailPublish(false);
    expect(await t.tracker.recover()).toBe(3);
    expect(t.last("project.compute.request", "p").id).toBe(stuck?.phases.compute?.requestId);
    expect((await readProject(t.store, "project:g:p"))?.outbox).toEqual([]);
  });

  it("registers a group twice without duplicating or resetting its projects", async () => {
    const t = setup();
    await register(t, ["p"]);
    await t.reply("project.scan.succeeded", t.last("project.scan.request", "p"), scanOk());
    await register(t, ["p", "r"]);
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Computing");
    expect((await readGroup(t.store, "group:g"))?.projects).toEqual(["p", "r"]);
    expect(t.sent.filter((m) => m.type === "project.scan.request").map((m) => m.project)).toEqual(["p", "r"]);
  });
});

describe("the state-tracker's answers to requests", () => {
  it("refuses a retry of a project still in progress, naming its state", async () => {
    const t = setup();
    await register(t, ["p"]);
    const a = await ask(t, "project.retry.request", "p", { by: "op" });
    expect(a).toMatchObject({ request: "project.retry.request", outcome: "refused", state: "Scanning" });
    expect(a.message).toContain("p is Scanning");
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Scanning");
  });

  it("answers a change it made with the state it led to", async () => {
    const t = setup();
    await register(t, ["p"]);
    expect(await ask(t, "project.faultlist.request", "p", { by: "op", reason: "withdrawn" })).toMatchObject({ outcome: "done", state: "Faultlisted" });
    expect(await ask(t, "project.retry.request", "p", { by: "op" })).toMatchObject({ outcome: "done", state: "Scanning" });
  });

  it("refuses a request about a project that is not registered", async () => {
    const t = setup();
    await register(t, ["p"]);
    const a = await ask(t, "project.accept.request", "nope", { by: "op", note: "" });
    expect(a).toMatchObject({ outcome: "refused", message: "no project nope in group g" });
  });

  it("answers a registration, and starts a group over when asked to replace it", async () => {
    const t = setup();
    const first = await t.registration("g", ["p", "q"].map((code) => ({ code, files: ["/data/a.nc"], config: { format: "kerchunk" as const } })));
    await t.tracker.handle(first);
    expect(answerTo(t, first)).toMatchObject({ outcome: "done", message: "group g registered: 2 new projects (2 projects in the group)" });
    const oldScan = t.last("project.scan.request", "p");

    const again = await t.registration("g", [{ code: "p", files: ["/data/a.nc"], config: { format: "kerchunk" } }]);
    await t.tracker.handle(again);
    expect(answerTo(t, again)).toMatchObject({ outcome: "unchanged" });

    const replace = await t.registration("g", [{ code: "p", files: ["/data/b.nc"], config: { format: "kerchunk" } }], { groupFile: "/g2.csv", replace: true });
    await t.tracker.handle(replace);
    expect(answerTo(t, replace)).toMatchObject({ outcome: "done" });
    expect(answerTo(t, replace).message).toContain("started over (was Active): 1 project registered anew, 1 no longer listed removed");
    const g = await readGroup(t.store, "group:g");
    expect(g).toMatchObject({ state: "Active", projects: ["p"], groupFile: "/g2.csv" });
    expect(g?.history.at(-1)?.reason).toContain("started over from /g2.csv");
    expect(await readProject(t.store, "project:g:q")).toBeUndefined();
    const p = await readProject(t.store, "project:g:p");
    expect(p?.files).toEqual(["/data/b.nc"]);
    expect(p?.history.map((h) => h.to)).toEqual(["Registered", "Scanning"]);
    // A late result of the first registration's scan changes nothing.
    await t.reply("project.scan.succeeded", oldScan, scanOk());
    expect((await readProject(t.store, "project:g:p"))?.state).toBe("Scanning");
  });

  it("asks the completion of a group started over to withdraw what it published before, once", async () => {
    const t = setup();
    await register(t, ["p", "q"]);
    await runToValidated(t, "p");
    await runToValidated(t, "q");
    const first = t.last("group.complete.request");
    expect(first.body.startOver).toBeUndefined();
    const items = (codes: string[]) => codes.map((code) => ({ code, product: `/complete/g/data/${code}.z1.0.zarr`, report: `/complete/g/reports/${code}_z1.0_report.json` }));
    await t.reply("group.complete.succeeded", first, { completeDir: "/complete", items: items(["p", "q"]) });
    // Launched again with --replace, without q: q's product must not stay published.
    await t.tracker.handle(await t.registration("g", [{ code: "p", files: ["/data/a.nc"], config: { format: "zarr" } }], { replace: true }));
    expect((await readGroup(t.store, "group:g"))?.startedOver).toBe(true);
    await runToValidated(t, "p");
    const again = t.last("group.complete.request");
    expect(again.id).not.toBe(first.id);
    expect(again.body).toMatchObject({ startOver: true, projects: [expect.objectContaining({ code: "p" })] });
    await t.reply("group.complete.succeeded", again, { completeDir: "/complete", items: items(["p"]) });
    const g = await readGroup(t.store, "group:g");
    expect(g?.state).toBe("Completed");
    expect(g?.startedOver).toBeUndefined();
  });

  it("starts every history with the creation, not a move from a state to itself", async () => {
    const t = setup();
    await register(t, ["p"]);
    const p = await readProject(t.store, "project:g:p");
    const g = await readGroup(t.store, "group:g");
    expect(p?.history[0]).toMatchObject({ from: null, to: "Registered", reason: "registered with 2 files" });
    expect(g?.history[0]).toMatchObject({ from: null, to: "Active", reason: "registered with 1 project" });
    expect(describeMove(p!.history[0]!)).toBe("(new) → Registered");
  });
});

describe("registration when the bulk write conflicts", () => {
  const registerMsg = (t: ReturnType<typeof setup>, files: string[], replace = false) => t.registration("g", [{ code: "p", files, config: { format: "kerchunk" } }], { replace });

  it("publishes a write that a replayed request reported as a conflict, once", async () => {
    // The bulk write is applied, but its answer is lost and the replay conflicts on every document.
    const t = setup({}, (s) => ({ ...s, putMany: async (docs) => {
      const first = await s.putMany(docs);
      return first.some((r) => "rev" in r) && docs.every((d) => d._rev === undefined) ? docs.map((d) => ({ id: d._id, conflict: true as const })) : first;
    } }));
    await t.tracker.handle(await registerMsg(t, ["/a.nc"]));
    const p = await readProject(t.store, "project:g:p");
    expect(p?.state).toBe("Scanning");
    expect(p?.outbox).toEqual([]);
    expect(t.sent.filter((m) => m.type === "project.scan.request")).toHaveLength(1);
    const answer = t.sent.find((m) => m.type === "request.answered") as Message<"request.answered"> | undefined;
    expect(answer?.body.message).toContain("1 new project");
  });

  it("replaces a project that changed between the listing and the write", async () => {
    let interfere = false;
    const t = setup({}, (s) => ({ ...s, putMany: async (docs) => {
      if (interfere) {
        interfere = false;
        // A result handled by another message in flight: the document moves on under us.
        const cur = (await s.get("project:g:p")) as ProjectDoc;
        await s.put({ ...cur, updatedAt: "changed meanwhile" } as ProjectDoc);
      }
      return s.putMany(docs);
    } }));
    await t.tracker.handle(await registerMsg(t, ["/a.nc"]));
    const scansBefore = t.sent.filter((m) => m.type === "project.scan.request").length;
    interfere = true;
    await t.tracker.handle(await registerMsg(t, ["/b.nc"], true));
    const p = await readProject(t.store, "project:g:p");
    expect(p?.files).toEqual(["/b.nc"]);
    expect(p?.history[0]?.reason).toContain("replacing the earlier registration");
    expect(p?.outbox).toEqual([]);
    expect(t.sent.filter((m) => m.type === "project.scan.request")).toHaveLength(scansBefore + 1);
  });
});
