import { describe, expect, it } from "vitest";
import { newGroup, newProject, type GroupDoc, type ProjectDoc, type ProjectState } from "@drover/shared";
import { parseShepherdConfig } from "../../services/shepherd/src/config.js";
import { admit, escalate, planSweep, retriesSoFar, type GroupView, type Task } from "../../services/shepherd/src/plan.js";

// The shepherd's sweep decisions, from documents made by hand: admission never beyond the batch
// limit and at random across groups, retries after a growing backoff with a growing budget,
// quarantine for what cannot be fixed by trying again.

const NOW = Date.parse("2026-12-03T12:00:00Z");
const config = (extra: Record<string, unknown> = {}) => parseShepherdConfig({ flock_dir: "/flock", complete_dir: "/done", ...extra }, "/etc/shepherd.yaml");

function proj(group: string, code: string, state: ProjectState, extra: Partial<ProjectDoc> = {}): ProjectDoc {
  return { ...newProject(group, code, ["/data/a.nc"], { format: "kerchunk" }, `/work/${code}`, "2026-12-03T10:00:00Z"), driver: "shepherd", state, ...extra };
}

function view(name: string, projects: ProjectDoc[], extra: Partial<GroupView> = {}): GroupView {
  const group: GroupDoc = { ...newGroup(name, `/flock/${name}.csv`, projects.map((p) => p.code), "2026-12-03T10:00:00Z"), driver: "shepherd" };
  return { group, projects, ignored: false, ...extra };
}

const rest = (group: string, n: number) => Array.from({ length: n }, (_, i) => proj(group, `${group}${String(i).padStart(3, "0")}`, "Registered"));
const kinds = (tasks: Task[]) => tasks.map((t) => `${t.kind} ${t.group}/${t.project}`);

describe("admission", () => {
  it("never admits beyond the batch limit, counting what is in flight in every group", () => {
    const running = [proj("a", "r1", "Scanning"), proj("a", "r2", "Computing"), proj("b", "r3", "Validating")];
    const plan = planSweep(config({ batch_limit: 5 }), [view("a", [...running.slice(0, 2), ...rest("a", 10)]), view("b", [running[2] as ProjectDoc, ...rest("b", 10)])], NOW, () => 0.5);
    expect(plan.inFlight).toBe(3);
    expect(plan.admitted).toBe(2);
    expect(plan.waiting).toBe(18);
    expect(plan.tasks.filter((t) => t.kind === "advance")).toHaveLength(2);
  });

  it("admits nothing when the limit is reached, even for a one-project group", () => {
    const plan = planSweep(config({ batch_limit: 2 }), [view("a", [proj("a", "x", "Scanning"), proj("a", "y", "Scanning")]), view("new", rest("new", 1))], NOW);
    expect(plan.tasks).toEqual([]);
    expect(plan.waiting).toBe(1);
  });

  it("picks a random group for each admission, so a new group cannot jump the queue or be starved", () => {
    // A fixed sequence of draws: group index = floor(draw * groups left).
    const draws = [0.9, 0.1, 0.9, 0.1];
    const picked = admit([...rest("old", 3), ...rest("new", 3)].map((p) => ({ kind: "advance" as const, group: p.group, project: p.code, from: p.state })), 4, () => draws.shift() ?? 0);
    expect(kinds(picked)).toEqual(["advance new/new000", "advance old/old000", "advance new/new001", "advance old/old001"]);
  });

  it("leaves ignored and completing groups alone but counts their projects in flight", () => {
    const plan = planSweep(config({ batch_limit: 3 }), [view("ign", [proj("ign", "x", "Scanning"), ...rest("ign", 5)], { ignored: true }), view("a", rest("a", 5))], NOW, () => 0);
    expect(plan.inFlight).toBe(1);
    expect(kinds(plan.tasks)).toEqual(["advance a/a000", "advance a/a001"]);
  });
});

describe("failures", () => {
  const failedAt = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
  const transient = (code: string, minutesAgo: number, retries = 0): ProjectDoc => {
    const history = [
      { seq: 1, at: failedAt(600), from: null, to: "Registered" as const, event: "group.register.request", reason: "" },
      ...Array.from({ length: retries }, (_, i) => ({ seq: i + 2, at: failedAt(500), from: "ComputeFailed" as const, to: "Computing" as const, event: "project.retry.request", reason: "" })),
      { seq: retries + 2, at: failedAt(minutesAgo), from: "Computing" as const, to: "ComputeFailed" as const, event: "project.compute.failed", reason: "" },
    ];
    return proj("g", code, "ComputeFailed", { lastError: { kind: "TransientError", message: "the compute task gave no result after 3600 s", permanent: false }, history });
  };

  it("quarantines a permanent failure with the error and the file", () => {
    const p = proj("g", "bad", "ScanFailed", { lastError: { kind: "SourceFormatError", message: "not an HDF5 file", permanent: true, file: "/data/bad.nc" } });
    const plan = planSweep(config(), [view("g", [p])], NOW);
    expect(plan.tasks).toEqual([{ kind: "quarantine", group: "g", project: "bad", from: "ScanFailed", reason: "SourceFormatError in file /data/bad.nc: not an HDF5 file" }]);
  });

  it("retries a transient failure after its backoff, with a budget raised each time up to the cap", () => {
    const c = config({ retry: { backoff_seconds: 60, factor: 2, max_retries: 5 }, escalation: { seconds: 3600, max_seconds: 10000, memory_mb: 2048, max_memory_mb: 4096, factor: 2 } });
    // No retry yet: due 1 minute after the failure.
    expect(planSweep(c, [view("g", [transient("p", 0.5)])], NOW).tasks).toEqual([]);
    expect(planSweep(c, [view("g", [transient("p", 0.5)])], NOW).nextRetryAt).toBe(NOW + 30_000);
    expect(planSweep(c, [view("g", [transient("p", 1.5)])], NOW).tasks).toMatchObject([{ kind: "retry", phase: "compute", retry: 1, budget: { seconds: 7200, memoryMb: 4096 } }]);
    // Two retries so far: the third waits 4 minutes, and its budget is capped.
    expect(planSweep(c, [view("g", [transient("p", 3, 2)])], NOW).tasks).toEqual([]);
    expect(planSweep(c, [view("g", [transient("p", 4.5, 2)])], NOW).tasks).toMatchObject([{ kind: "retry", retry: 3, budget: { seconds: 10000, memoryMb: 4096 } }]);
    expect(escalate(c, 1)).toEqual({ seconds: 7200, memoryMb: 4096 });
  });

  it("quarantines a transient failure once its retries are used up", () => {
    const plan = planSweep(config({ retry: { max_retries: 2, backoff_seconds: 0, factor: 1 } }), [view("g", [transient("p", 10, 2)])], NOW);
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]).toMatchObject({ kind: "quarantine" });
    expect((plan.tasks[0] as { reason: string }).reason).toBe("gave up after 2 retries with larger budgets: TransientError: the compute task gave no result after 3600 s");
  });

  it("counts retries only since the project was last registered", () => {
    const p = transient("p", 10, 2);
    p.history.push({ seq: 9, at: failedAt(5), from: "ComputeFailed", to: "Registered", event: "project.release.request", reason: "" });
    expect(retriesSoFar(p, "compute")).toBe(0);
  });

  it("re-queues a task in progress for longer than its budget allows", () => {
    const p = proj("g", "p", "Computing", { phases: { compute: { status: "running", attempts: 1, queuedAt: failedAt(200), startedAt: failedAt(90), requestId: "r1" } }, config: { format: "kerchunk", budget: { seconds: 3600 } } });
    expect(planSweep(config(), [view("g", [p])], NOW).tasks).toEqual([{ kind: "requeue", group: "g", project: "p", from: "Computing", lostAfterSeconds: 4560 }]);
    const young = proj("g", "p", "Computing", { phases: { compute: { status: "running", attempts: 1, queuedAt: failedAt(200), startedAt: failedAt(60), requestId: "r2" } } });
    expect(planSweep(config(), [view("g", [young])], NOW).tasks).toEqual([]);
    // Waiting in its queue for hours is not lost: only a started task can be.
    const waiting = proj("g", "p", "Computing", { phases: { compute: { status: "queued", attempts: 1, queuedAt: failedAt(600), requestId: "r3" } } });
    expect(planSweep(config(), [view("g", [waiting])], NOW).tasks).toEqual([]);
  });

  it("leaves warnings for a person unless the config accepts them", () => {
    const w = [proj("g", "w", "ValidatedWithWarnings")];
    expect(planSweep(config(), [view("g", w)], NOW).tasks).toEqual([]);
    expect(planSweep(config({ accept_warnings: true }), [view("g", w)], NOW).tasks).toEqual([{ kind: "accept", group: "g", project: "w", from: "ValidatedWithWarnings" }]);
  });
});

describe("the shepherd's config", () => {
  it("names unknown keys and missing ones, with the file", () => {
    expect(() => parseShepherdConfig({ flock_dir: "/f", complete_dir: "/c", batch_size: 3 }, "/etc/s.yaml")).toThrow(/bad shepherd config \/etc\/s\.yaml:\n {2}unknown key batch_size \(the keys are: flock_dir, complete_dir, batch_limit/);
    expect(() => parseShepherdConfig({ complete_dir: "/c" }, "/etc/s.yaml")).toThrow(/flock_dir: flock_dir is required/);
    expect(() => parseShepherdConfig({ flock_dir: "/f", complete_dir: "/c", retry: { max: 1 } }, "/etc/s.yaml")).toThrow(/retry: unknown key max \(the keys are: max_retries, backoff_seconds, factor\)/);
  });

  it("reads relative directories from the config file's own directory", () => {
    expect(parseShepherdConfig({ flock_dir: "flock", complete_dir: "../done" }, "/etc/drover/s.yaml")).toMatchObject({ flock_dir: "/etc/drover/flock", complete_dir: "/etc/done", batch_limit: 100, sweep_interval: 3600 });
  });

  it("refuses a common_valid template it cannot read, naming the key, the file and the fix", () => {
    expect(() => parseShepherdConfig({ flock_dir: "/f", complete_dir: "/c", common_valid: "missing.json" }, "/etc/drover/s.yaml")).toThrow(
      /common_valid in \/etc\/drover\/s\.yaml names \/etc\/drover\/missing\.json, which is not a readable JSON file .*fix the path/,
    );
  });

  it("never lowers a budget an operator raised, when it escalates", () => {
    const c = config({ escalation: { seconds: 3600, max_seconds: 43200, factor: 2 } });
    expect(escalate(c, 1, { seconds: 36000 })).toEqual({ seconds: 43200 });
    expect(escalate(c, 1, { seconds: 50000 })).toEqual({ seconds: 50000 });
    expect(escalate(c, 2)).toEqual({ seconds: 14400 });
    expect(escalate(c, 1, { memoryMb: 1024 })).toEqual({ seconds: 7200, memoryMb: 2048 });
  });
});
