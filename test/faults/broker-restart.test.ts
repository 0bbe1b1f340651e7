import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isActive, listProjects, type ProjectState } from "@drover/shared";
import { countLines, expectClean, faultsAvailable, hold, startFaultStack, type FaultStack } from "../helpers/faults.js";
import { waitFor } from "../helpers/wait.js";

// Fault injection (issue 11): RabbitMQ restarted in the middle of a 50-project group, twice: once
// stopped by an operator (rabbitmqctl stop), once killed (SIGKILL of the node), each away for a
// while and started again on the same data. The broker is the test's own node (its own ports,
// data and cookie): the machine's shared broker is never touched. The services must reconnect by
// themselves (shared/src/bus.ts: amqplib's recovery re-declares the topology and the consumers);
// durable queues and confirmed persistent messages survive; requests held by a worker are
// delivered again and handled idempotently. Every project completes once; no service restarts.
// Time bound: each outage DOWN_MS; every wait is bounded (the node's start 90 s; the rest by the test's limit).

const available = await faultsAvailable(true);
const DOWN_MS = 10_000;
/** The case's time bound (its run takes about 75 s here). */
const CASE_MS = 4 * 60_000;

describe.skipIf(!available)("RabbitMQ restarted in the middle of a group", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ label: "broker", ownBroker: true });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("services reconnect by themselves and every project completes once", async () => {
    const broker = stack.broker;
    if (!broker) throw new Error("the case needs its own broker");
    await stack.launch();
    const store = await stack.store();
    const underWay = (n: number) =>
      waitFor(`${n} projects to be under way`, async () => {
        const ps = await listProjects(store, stack.group);
        return ps.filter((p) => p.state !== "Registered" && !isActive(p.state as ProjectState)).length >= n ? true : undefined;
      }, { every: 20 });
    const reconnected = () => countLines(stack.all, '"msg":"connected to the broker"');
    const restarts: string[] = [];

    await underWay(3);
    await broker.stop();
    restarts.push("rabbitmqctl stop");
    await hold(DOWN_MS); // the fault itself: no broker at all
    await broker.start();
    await waitFor("every service to reconnect", () => (reconnected() >= stack.running.length ? true : undefined), { ms: 60_000, processes: stack.running });

    await underWay(15);
    await broker.kill();
    restarts.push("SIGKILL of the node");
    await hold(DOWN_MS);
    await broker.start();
    await waitFor("every service to reconnect again", () => (reconnected() >= 2 * stack.running.length ? true : undefined), { ms: 60_000, processes: stack.running });

    const s = await stack.settle("restart RabbitMQ (stop, and kill -9)", restarts.length, { restarts, downSeconds: DOWN_MS / 1000, reconnections: reconnected() });
    expect(stack.all, "no service had to be restarted").toHaveLength(stack.running.length);
    expectClean(s, { deadLetters: 0 });
  }, CASE_MS);
});
