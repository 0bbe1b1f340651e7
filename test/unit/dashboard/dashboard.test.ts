import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { createMemoryStore, newGroup, newProject, type ProjectDoc, type ProjectState } from "@drover/shared";
import { requireToken } from "../../../services/dashboard/src/http/auth.js";
import { HttpError, parseWith } from "../../../services/dashboard/src/http/respond.js";
import { ActionBody, BoardParams } from "../../../services/dashboard/src/params.js";
import { board } from "../../../services/dashboard/src/views/board.js";
import { oneLine, toCard } from "../../../services/dashboard/src/views/card.js";
import { overview } from "../../../services/dashboard/src/views/overview.js";
import { dataReportRows, metadataReportRows, sortRows } from "../../../services/dashboard/src/views/report-rows.js";

// The dashboard's server side without servers: the token check, the inputs' schemas, the board
// and the overview aggregated from a store, the reports as rows.

const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const status = (f: () => unknown) => {
  try {
    f();
    return 200;
  } catch (e) {
    return e instanceof HttpError ? e.status : 500;
  }
};

describe("the actions' token", () => {
  it("is needed, must be right, and without one configured nothing is allowed", () => {
    expect(status(() => requireToken(req(), "s3cret-token"))).toBe(401);
    expect(status(() => requireToken(req("Bearer wrong-token"), "s3cret-token"))).toBe(403);
    expect(status(() => requireToken(req("Basic s3cret-token"), "s3cret-token"))).toBe(401);
    expect(status(() => requireToken(req("Bearer s3cret-token"), "s3cret-token"))).toBe(200);
    expect(status(() => requireToken(req("Bearer s3cret-token"), undefined))).toBe(403);
  });
});

describe("the dashboard's inputs", () => {
  it("parses an action and names what is wrong with a bad one", () => {
    expect(parseWith(ActionBody, { action: "retry", group: "g", project: "p", phase: "scan" }, "action")).toEqual({ action: "retry", group: "g", project: "p", phase: "scan", operator: "operator" });
    expect(parseWith(ActionBody, { action: "accept", group: "g", state: "ValidatedWithWarnings", operator: "ann" }, "action")).toMatchObject({ note: "", operator: "ann" });
    expect(() => parseWith(ActionBody, { action: "quarantine", group: "g" }, "action")).toThrow(/reason/);
    expect(() => parseWith(ActionBody, { action: "retry", group: "g", phase: "complete" }, "action")).toThrow(/phase/);
    expect(() => parseWith(ActionBody, { action: "explode", group: "g" }, "action")).toThrow(/bad action/);
    expect(() => parseWith(ActionBody, { action: "release", group: "../etc" }, "action")).toThrow(/group/);
    expect(() => parseWith(ActionBody, { action: "release", group: "g", operator: "<script>" }, "action")).toThrow(/operator/);
  });

  it("parses the board's query with defaults and limits", () => {
    expect(parseWith(BoardParams, {}, "q")).toEqual({ limit: 20, offset: 0 });
    expect(parseWith(BoardParams, { group: "", state: "", limit: "5" }, "q")).toMatchObject({ group: undefined, state: undefined, limit: 5 });
    expect(() => parseWith(BoardParams, { limit: "1000" }, "q")).toThrow(/at most 200/);
    expect(() => parseWith(BoardParams, { state: "Done" }, "q")).toThrow(/state/);
    expect(() => parseWith(BoardParams, { colour: "red" }, "q")).toThrow();
  });
});

async function storeWith(groups: Record<string, ProjectState[]>) {
  const store = createMemoryStore();
  const now = "2026-12-01T10:00:00.000Z";
  for (const [group, states] of Object.entries(groups)) {
    await store.put({ ...newGroup(group, `/data/${group}.csv`, states.map((_, i) => `p${String(i).padStart(3, "0")}`), now), _id: `group:${group}` });
    for (const [i, state] of states.entries()) {
      const p: ProjectDoc = { ...newProject(group, `p${String(i).padStart(3, "0")}`, ["/data/a.nc"], { format: "kerchunk" }, "/work", now), state };
      await store.put(p);
    }
  }
  return store;
}

describe("the board", () => {
  it("counts every state and sends the first page of cards of each, across groups", async () => {
    const store = await storeWith({ a: Array(30).fill("Scanning"), b: ["Scanning", "ScanFailed", "Completed"] });
    const b = await board(store, { limit: 20, offset: 0 });
    const col = (s: string) => b.columns.find((c) => c.state === s);
    expect(b.groups).toEqual(["a", "b"]);
    expect(col("Scanning")?.count).toBe(31);
    expect(col("Scanning")?.cards).toHaveLength(20);
    expect(col("ScanFailed")?.cards.map((c) => `${c.group}/${c.project}`)).toEqual(["b/p001"]);
    // The next page starts where the first ended, and goes on into the next group.
    const next = await board(store, { state: "Scanning", limit: 20, offset: 20 });
    expect(next.columns).toHaveLength(1);
    expect(next.columns[0]?.cards.map((c) => `${c.group}/${c.project}`)).toEqual([...Array(10)].map((_, i) => `a/p0${20 + i}`).concat(["b/p000"]));
  });

  it("filters by text on group/project, counting what matches", async () => {
    const store = await storeWith({ a: ["Scanning", "Scanning", "Completed"], b: ["Scanning"] });
    const b = await board(store, { text: "a/p00", limit: 1, offset: 0 });
    expect(b.columns.find((c) => c.state === "Scanning")).toMatchObject({ count: 2, cards: [{ project: "p000" }] });
    expect(b.columns.find((c) => c.state === "Completed")?.count).toBe(1);
  });

  it("puts an error on one line with its file", () => {
    expect(oneLine({ kind: "SourceFormatError", message: "truncated\n  re-copy it", file: "/d/x.nc" })).toBe("SourceFormatError: truncated re-copy it (/d/x.nc)");
    expect(oneLine({ kind: "K", message: "x".repeat(400) })).toHaveLength(240);
  });

  it("makes a card with the attempt and phase durations", () => {
    const p = newProject("g", "p", ["/a.nc"], { format: "kerchunk" }, "/w", "2026-12-01T10:00:00.000Z");
    const card = toCard({ ...p, state: "Computing", phases: { compute: { status: "running", attempts: 2, queuedAt: "", requestId: "r" } }, history: [
      { seq: 1, at: "2026-12-01T10:00:00.000Z", from: null, to: "Registered", event: "e", reason: "" },
      { seq: 2, at: "2026-12-01T10:00:01.000Z", from: "Registered", to: "Scanning", event: "e", reason: "" },
      { seq: 3, at: "2026-12-01T10:00:03.000Z", from: "Scanning", to: "Scanned", event: "e", reason: "" },
      { seq: 4, at: "2026-12-01T10:00:04.000Z", from: "Scanned", to: "Computing", event: "e", reason: "" },
    ] }, "2026-12-01T10:00:10.000Z");
    expect(card).toMatchObject({ attempt: 2, phases: [{ phase: "scan", seconds: 2, open: false }, { phase: "compute", seconds: 6, open: true }] });
  });
});

describe("the overview", () => {
  it("puts the groups needing a person first and counts by state", async () => {
    const store = await storeWith({ calm: ["Completed", "Completed"], troubled: ["ValidatedWithWarnings", "Validated"], later: ["Scanning"] });
    const o = await overview(store, {}, new Map([["calm", "2026-12-01T11:00:00.000Z"]]));
    expect(o.groups.map((g) => g.name)).toEqual(["troubled", "calm", "later"]);
    expect(o.groups[0]).toMatchObject({ needsPerson: 1, total: 2, done: 1 });
    expect(o.totals.Completed).toBe(2);
    expect((await overview(store, { state: "Scanning" }, new Map())).groups.map((g) => g.name)).toEqual(["later"]);
    expect((await overview(store, { text: "TROUB" }, new Map())).groups.map((g) => g.name)).toEqual(["troubled"]);
  });
});

describe("the reports as rows", () => {
  it("lists fatal rows, then warnings, then what was bypassed", () => {
    const rows = sortRows([
      ...metadataReportRows({ attributes: { global: { history: { type: "not_equal", zarr: "a", source: "b" } } }, data_vars: { huss: { type: "missing", info: "missing from zarr" } }, groups: {}, dims: {}, skipped: {} }),
      ...dataReportRows({ variables: { data_errors: { pr: { type: "not_equal", count: 1 } }, "dtype/precision": { tas: { zarr: "<f4", source: "<f8" } }, bypassed: { x: { SKIP: true } } }, dimensions: {} }),
    ]);
    expect(rows.map((r) => [r.severity, r.error, r.name])).toEqual([
      ["fatal", "data_errors", "pr"],
      ["warning", "not_equal", "global.history"],
      ["warning", "missing", "variable huss"],
      ["warning", "dtype/precision", "tas"],
      ["bypassed", "bypassed", "x"],
    ]);
    expect(rows[0]?.detail).toBe("count: 1");
    expect(dataReportRows("not a report")).toEqual([]);
  });
});
