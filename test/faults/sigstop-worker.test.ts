import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProject, projectId } from "@drover/shared";
import { expectClean, faultsAvailable, lineAfter, startFaultStack, type FaultStack } from "../helpers/faults.js";
import type { Running } from "../helpers/processes.js";
import { waitFor } from "../helpers/wait.js";

// Fault injection (issue 11): a worker hangs in the middle of a task, for far longer than its
// budget, holding its request. Two computers share the queue; one is frozen with SIGSTOP right
// after it said it started a project. It connects without AMQP heartbeats, so the broker cannot
// see the hang (as with any hang that keeps the TCP connection up): only the state-tracker's
// periodic pass (expire: a started task older than its budget × 1.25 + 120 s is sent again, its
// attempt counted) gets the project moving, on the other computer. Then the frozen one is woken
// (SIGCONT): its late answer for the old attempt must change nothing. Every project completes once.
//
// Budgets: DROVER_TASK_TIMEOUT=8 for every service (the workers' task limit and the tracker's
// default budget) and DROVER_LOST_MARGIN=20 (default 120): lost after ceil(8 × 1.25 + 20) = 30 s,
// found by a pass that runs every DROVER_PERIODIC_PASS=5 s (default 30).
// Time bound: the frozen project must move within LOST_S + PASS_S + 60 s; the test's own limit for the rest.

const available = await faultsAvailable();
const BUDGET_S = 8;
const MARGIN_S = 20;
const PASS_S = 5;
const LOST_S = Math.ceil(BUDGET_S * 1.25 + MARGIN_S);
/** The case's time bound: the lease (30 s), a pass (5 s) and the run (2.5 min here). */
const CASE_MS = 4 * 60_000;

describe.skipIf(!available)("a worker frozen (SIGSTOP) for longer than its task budget", () => {
  let stack: FaultStack;
  let frozen: Running;

  beforeAll(async () => {
    stack = await startFaultStack({ label: "sigstop", env: { DROVER_TASK_TIMEOUT: String(BUDGET_S), DROVER_LOST_MARGIN: String(MARGIN_S), DROVER_PERIODIC_PASS: String(PASS_S) }, copies: { computer: 0 } });
    // The copy to freeze first (no heartbeats: the broker keeps its request for it), then its sibling.
    frozen = stack.start("computer", { AMQP_URL: `${stack.amqpUrl}?heartbeat=0` });
    const sibling = stack.start("computer");
    await Promise.all([frozen.ready(), sibling.ready()]);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("the lost task is sent again to the other computer; the frozen one's late answer changes nothing", async () => {
    await stack.launch();
    const at = await lineAfter(frozen, "compute started (");
    frozen.proc.kill("SIGSTOP");
    const stoppedAt = Date.now();
    const line = frozen.output().slice(0, at).trimEnd().split("\n").at(-1) ?? "";
    const code = (JSON.parse(line) as { project?: string }).project ?? "";
    expect(code, `the project in the frozen computer's hands (${line})`).toMatch(/^p\d+$/);
    const store = await stack.store();
    // The event the case waits for: the tracker re-sends the lost task (attempt 2) and the other computer finishes it.
    const moved = await waitFor(`${code} to leave Computing while its computer is frozen`, async () => {
      const p = await readProject(store, projectId(stack.group, code));
      return p && p.state !== "Computing" && p.state !== "Registered" && p.state !== "Scanning" && p.state !== "Scanned" ? p : undefined;
    }, { every: 1000, ms: (LOST_S + PASS_S + 60) * 1000 });
    const frozenSeconds = Math.round((Date.now() - stoppedAt) / 1000);
    frozen.proc.kill("SIGCONT");
    expect(frozenSeconds, "frozen for longer than the task budget").toBeGreaterThan(BUDGET_S);
    expect(moved.history.some((h) => h.event === "lease.expired"), `${code}'s history says its task was lost`).toBe(true);
    // The woken computer finishes (or times out) its old task and acknowledges it: then everything settles.
    const s = await stack.settle("SIGSTOP a computer past its budget", 1, { frozenProject: code, frozenSeconds, budgetSeconds: BUDGET_S, lostAfterSeconds: LOST_S });
    const p = s.projects.find((x) => x.code === code);
    expect(p?.phases.compute?.attempts, `${code}'s compute attempts`).toBe(2);
    expectClean(s, { deadLetters: 0 });
  }, CASE_MS);
});
