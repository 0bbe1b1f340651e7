import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isActive, listProjects, type ProjectState } from "@drover/shared";
import { expectClean, faultsAvailable, FAULT_PROJECTS, hold, startFaultStack, type FaultStack } from "../helpers/faults.js";
import { waitFor } from "../helpers/wait.js";

// Fault injection: the database goes away for two minutes in the middle of a 50-project group (its
// own pouchdb-server, so no other test is disturbed). Before the broker's retry queues, a 30 s
// outage left 10 of 30 projects stuck for good. Every project must complete, once, with nothing
// parked: the handlers' retries (1 s doubling to 60 s, 15 of them) outlast the outage.
// Time bound: the outage itself (2 min) plus the test's own limit for the rest.

const available = await faultsAvailable();
const OUTAGE_MS = 120_000;
/** The case's time bound: the outage and about 30 s of run (2.5 min here), with room on a busy machine. */
const CASE_MS = 5 * 60_000;

describe.skipIf(!available)("a database outage of two minutes in the middle of a group", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ label: "outage" });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("rides it out: every project completes with one product, nothing is parked", async () => {
    await stack.launch();
    const store = await stack.store();
    // Cut the database while work is in flight: some projects done with a phase, some not.
    await waitFor("some projects to be under way", async () => {
      const ps = await listProjects(store, stack.group);
      return ps.filter((p) => p.state !== "Registered" && !isActive(p.state as ProjectState)).length >= 3 ? true : undefined;
    }, { every: 20 });
    await stack.db.stop();
    await hold(OUTAGE_MS); // the fault itself: two minutes without a database
    for (const s of stack.running) expect(s.alive(), `${s.name} survived the outage`).toBe(true);
    await stack.db.start();
    const s = await stack.settle("CouchDB stopped for 2 minutes", 1, { outageSeconds: OUTAGE_MS / 1000 });
    expect(s.projects).toHaveLength(FAULT_PROJECTS);
    expectClean(s, { deadLetters: 0 });
  }, CASE_MS);
});
