import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceName } from "@drover/shared";
import { expectClean, faultsAvailable, hold, lineAfter, startFaultStack, type FaultStack } from "../helpers/faults.js";
import type { Running } from "../helpers/processes.js";

// Fault injection (issue 11): kill -9 of each worker and of the state-tracker in the middle of one
// 50-project group, each in the middle of its work, each started again a moment later as a
// supervisor would. The broker hands a killed worker's unacknowledged request to its successor;
// the tracker's outbox and `recover` cover its own crash. Every project completes, once.
// Time bound: the test's own limit (test/helpers/timeouts.ts); each trigger waits at most 2 min.

const available = await faultsAvailable();
/** How long a killed service stays dead before its supervisor starts it again. */
const DEAD_MS = 2_000;
/** The case's time bound (its run takes about 40 s here). */
const CASE_MS = 4 * 60_000;

describe.skipIf(!available)("kill -9 of every service in the middle of a group", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ label: "kill" });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("each worker and the state-tracker killed mid-task and restarted: every project completes once", async () => {
    const svc = (name: ServiceName): Running => {
      const r = stack.running.find((x) => x.name === name);
      if (!r) throw new Error(`no running ${name}`);
      return r;
    };
    const killed: string[] = [];
    /** Kills `name` once it logs `marker` (it is in the middle of a task), and starts it again. */
    const killWhen = async (name: ServiceName, marker: string) => {
      const r = svc(name);
      await lineAfter(r, marker, r.output().length);
      r.proc.kill("SIGKILL");
      await r.exited;
      killed.push(`${name} (pid ${r.proc.pid}) after "${marker}"`);
      await hold(DEAD_MS);
      await stack.restart(r);
    };
    await stack.launch();
    await killWhen("scanner", "scan started (");
    await killWhen("computer", "compute started (");
    await killWhen("validator", "validate started (");
    // The tracker in the middle of moving projects: killed right after it logged a move.
    await killWhen("state-tracker", " → ");
    await killWhen("completion", "completing group");
    const s = await stack.settle("kill -9 each worker and the state-tracker", killed.length, { killed });
    expect(killed).toHaveLength(5);
    expectClean(s, { deadLetters: 0 });
  }, CASE_MS);
});
