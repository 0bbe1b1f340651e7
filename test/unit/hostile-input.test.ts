import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCompletionPaths, checkRequestPaths, createMessage, publishGroup, PUBLISH_JOURNAL, sweepTemporaries, tempPathFor, type Body } from "@drover/shared";

// Paths in messages checked on receipt, and completion that resumes exactly.

function dirs() {
  const root = mkdtempSync(join(tmpdir(), "drover-paths-"));
  const data = join(root, "data");
  const work = join(root, "work");
  const complete = join(root, "complete");
  for (const d of [data, work, complete, join(root, "elsewhere")]) mkdirSync(d, { recursive: true });
  writeFileSync(join(data, "a.nc"), "x");
  return { root, data, work, complete, config: { workDir: work, dataRoots: [data] } };
}

describe("paths in a phase request", () => {
  const scan = (group: string, project: string, body: Body<"project.scan.request">) => createMessage("project.scan.request", { group, project }, body, "forger@x");

  it("accepts what the state-tracker sends", () => {
    const d = dirs();
    expect(() => checkRequestPaths(scan("g", "p", { files: [join(d.data, "a.nc")], config: { format: "zarr" }, workDir: join(d.work, "in_progress", "g", "p") }), d.config)).not.toThrow();
  });

  it("refuses a foreign workDir, one of another project, one reached by .. or a link, and an inventory outside it", () => {
    const d = dirs();
    const files = [join(d.data, "a.nc")];
    const refuse = (project: string, workDir: string, f = files) => () => checkRequestPaths(scan("nobody", project, { files: f, config: { format: "zarr" }, workDir }), d.config);
    expect(refuse("p", join(d.root, "elsewhere", "p"))).toThrow(/workDir .* is outside .*DROVER_WORK_DIR/);
    expect(refuse("p", join(d.work, "in_progress", "g", "q"))).toThrow(/not project p's work directory/);
    expect(refuse("p", join(d.work, "..", "elsewhere", "p"))).toThrow(/outside/);
    symlinkSync(join(d.root, "elsewhere"), join(d.work, "link"));
    expect(refuse("p", join(d.work, "link", "p"))).toThrow(/really .*elsewhere\/p/);
    const compute = createMessage("project.compute.request", { group: "g", project: "p" }, { files, config: { format: "zarr" }, workDir: join(d.work, "in_progress", "g", "p"), inventory: "/etc/passwd" }, "forger@x");
    expect(() => checkRequestPaths(compute, d.config)).toThrow(/inventory \/etc\/passwd is outside/);
  });
});

describe("completion", () => {
  const setupGroup = () => {
    const d = dirs();
    const projects = ["p", "q", "r"].map((code) => {
      const w = join(d.work, "in_progress", "g", code);
      mkdirSync(w, { recursive: true });
      writeFileSync(join(w, "k1.0a.json"), JSON.stringify({ version: 1, refs: { code } }));
      writeFileSync(join(w, "data.json"), "{}");
      writeFileSync(join(w, "meta.json"), "{}");
      return { code, product: join(w, "k1.0a.json"), revision: "k1.0", dataReport: join(w, "data.json"), metadataReport: join(w, "meta.json") };
    });
    return { d, request: { completeDir: d.complete, projects } };
  };

  it("refuses a request naming /etc/passwd, another complete directory or a revision that climbs out", () => {
    const { d, request } = setupGroup();
    const allowed = { workDir: d.work, completeDir: d.complete };
    expect(() => checkCompletionPaths("g", request, allowed)).not.toThrow();
    const forged = { ...request, projects: [{ ...request.projects[0]!, product: "/etc/passwd" }] };
    expect(() => checkCompletionPaths("g", forged, allowed)).toThrow(/product \/etc\/passwd is outside .*DROVER_WORK_DIR/);
    expect(() => checkCompletionPaths("g", { ...request, completeDir: join(d.root, "elsewhere") }, allowed)).toThrow(/is not where group g is published/);
    expect(() => checkCompletionPaths("g", { ...request, projects: [{ ...request.projects[0]!, revision: "../../x" }] }, allowed)).toThrow(/is not a revision/);
    expect(() => publishGroup("g", forged, new Date(), undefined, { workDir: d.work })).toThrow(/outside/);
    expect(existsSync(join(d.complete, "g"))).toBe(false);
  });

  it("resumes a publication cut short exactly: what is in place is not copied again, orphaned temporaries go, the summary lists every project once", () => {
    const { d, request } = setupGroup();
    // The first run published p, then crashed while copying q (its temporary copy left behind).
    publishGroup("g", { ...request, projects: [request.projects[0]!] }, new Date(), undefined, { workDir: d.work });
    const root = join(d.complete, "g");
    // That run's journal: as if it had not got to the summary.
    // Its last line torn by the crash (q's): ignored, q copied again.
    const entry = (code: string, i: number) => JSON.stringify({ code, revision: "k1.0", source: request.projects[i]!.product, item: { code, product: join(root, "data", `${code}.k1.0.json`), report: join(root, "reports", `${code}_k1.0_report.json`) } });
    writeFileSync(join(root, PUBLISH_JOURNAL), `${entry("p", 0)}\n${entry("q", 1).slice(0, 40)}`);
    const orphan = tempPathFor(join(root, "data", "q.k1.0.json"));
    writeFileSync(orphan, "half");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(orphan, old, old);
    const pBefore = statSync(join(root, "data", "p.k1.0.json"));
    utimesSync(join(root, "data", "p.k1.0.json"), old, old);

    const out = publishGroup("g", request, new Date(), undefined, { workDir: d.work });
    expect(out.items.map((i) => i.code)).toEqual(["p", "q", "r"]);
    // p was in place: not copied again (its time is the one we set back).
    // Not copied again: its time is still the old one (to the millisecond; mtimeMs carries float error).
    expect(Math.abs(statSync(join(root, "data", "p.k1.0.json")).mtimeMs - old.getTime())).toBeLessThan(1);
    expect(statSync(join(root, "data", "p.k1.0.json")).ino).toBe(pBefore.ino);
    expect(readdirSync(join(root, "data")).sort()).toEqual(["p.k1.0.json", "q.k1.0.json", "r.k1.0.json"]);
    expect(existsSync(join(root, PUBLISH_JOURNAL))).toBe(false);
    const summary = JSON.parse(readFileSync(join(root, "summary.json"), "utf8")) as { projects: { code: string }[] };
    expect(summary.projects.map((p) => p.code)).toEqual(["p", "q", "r"]);
  });

  it("keeps the projects published before in the summary when one more is published later", () => {
    const { d, request } = setupGroup();
    publishGroup("g", { ...request, projects: request.projects.slice(0, 2) }, new Date(), undefined, { workDir: d.work });
    publishGroup("g", { ...request, projects: [request.projects[2]!] }, new Date(), undefined, { workDir: d.work });
    const summary = JSON.parse(readFileSync(join(d.complete, "g", "summary.json"), "utf8")) as { projects: { code: string }[] };
    expect(summary.projects.map((p) => p.code).sort()).toEqual(["p", "q", "r"]);
  });

  it("withdraws what a group started over published before: moved under superseded/, no longer listed", () => {
    const { d, request } = setupGroup();
    const root = join(d.complete, "g");
    publishGroup("g", request, new Date("2026-01-01T00:00:00Z"), undefined, { workDir: d.work });
    // Launched again with --replace, listing p alone: its first completion batch says so.
    const out = publishGroup("g", { ...request, startOver: true, projects: [request.projects[0]!] }, new Date("2026-01-02T00:00:00Z"), undefined, { workDir: d.work });
    expect(readdirSync(join(root, "data"))).toEqual(["p.k1.0.json"]);
    expect(readdirSync(join(root, "reports"))).toEqual(["p_k1.0_report.json"]);
    const summary = JSON.parse(readFileSync(join(root, "summary.json"), "utf8")) as { projects: { code: string }[] };
    expect(summary.projects.map((p) => p.code)).toEqual(["p"]);
    // Nothing deleted: the earlier publication is whole under superseded/<time>/.
    const earlier = join(root, "superseded", "2026-01-02T00-00-00.000Z");
    expect(out.superseded).toBe(earlier);
    expect(readdirSync(join(earlier, "data")).sort()).toEqual(["p.k1.0.json", "q.k1.0.json", "r.k1.0.json"]);
    expect((JSON.parse(readFileSync(join(earlier, "summary.json"), "utf8")) as { projects: unknown[] }).projects).toHaveLength(3);
    // A later batch of the same completion (no startOver) adds to the new summary.
    publishGroup("g", { ...request, projects: [request.projects[1]!] }, new Date(), undefined, { workDir: d.work });
    expect((JSON.parse(readFileSync(join(root, "summary.json"), "utf8")) as { projects: { code: string }[] }).projects.map((p) => p.code)).toEqual(["p", "q"]);
  });
});

describe("orphaned temporary files", () => {
  it("are swept when older than the limit; young ones, and files not named like them, stay", () => {
    const d = dirs();
    const w = join(d.work, "in_progress", "g", "p");
    mkdirSync(w, { recursive: true });
    const oldFile = tempPathFor(join(w, "inventory.json"));
    const oldDir = tempPathFor(join(w, "z1.0a.zarr"));
    const young = tempPathFor(join(w, "k1.0a.json"));
    writeFileSync(oldFile, "x");
    mkdirSync(oldDir);
    writeFileSync(join(oldDir, "0.0"), "x");
    writeFileSync(young, "x");
    writeFileSync(join(w, ".hidden"), "keep");
    writeFileSync(join(w, "inventory.json"), "keep");
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const p of [oldFile, join(oldDir, "0.0"), oldDir]) utimesSync(p, old, old);
    const removed = sweepTemporaries(d.work, 3_600_000, 4);
    expect(removed.sort()).toEqual([oldDir, oldFile].sort());
    expect(readdirSync(w).sort()).toEqual([".hidden", young.split("/").pop(), "inventory.json"].sort());
  });

  it("a temporary directory still being filled counts as young", () => {
    const d = dirs();
    const dir = tempPathFor(join(d.work, "z.zarr"));
    mkdirSync(join(dir, "tas"), { recursive: true });
    writeFileSync(join(dir, "tas", "0.0"), "x");
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(dir, old, old);
    expect(sweepTemporaries(d.work, 3_600_000, 1)).toEqual([]);
  });
});
