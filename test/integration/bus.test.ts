import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectBus, deadLetterQueue, DroverError, queueName, retryQueueName, silentLogger, type Bus, type BusOptions, type Message } from "@drover/shared";
import { AMQP_URL, eventually, isolate, servicesAvailable } from "../helpers/services.js";
import { Signal, waitFor, within } from "../helpers/wait.js";

const available = await servicesAvailable();
const body = { files: ["/data/a.nc"], config: { format: "zarr" as const }, workDir: "/work/p" };

describe.skipIf(!available)("the bus over RabbitMQ", () => {
  const iso = isolate("bus");
  const buses: Bus[] = [];
  const open = async (service: string, handlerRetries = 5, extra: Partial<BusOptions> = {}) => {
    const b = await connectBus({ url: AMQP_URL, exchange: iso.exchange, service, logger: silentLogger, handlerRetries, ...extra });
    buses.push(b);
    return b;
  };
  let sender: Bus;
  beforeAll(async () => {
    sender = await open("cli");
  });
  afterAll(async () => {
    await within(Promise.all(buses.map((b) => b.close())), 30_000);
    await iso.cleanup();
  });

  it("keeps a request sent before any consumer exists, and delivers it once one starts", async () => {
    const sent = await sender.send("project.scan.request", { group: "g", project: "early" }, body);
    const scanner = await open("scanner");
    const got: Message[] = [];
    const delivered = new Signal();
    await scanner.consume("project.scan.request", async (m) => {
      got.push(m);
      delivered.notify();
    });
    await waitFor("the early request", () => (got.some((m) => m.id === sent.id) ? true : undefined), { signal: delivered });
    expect(got.find((m) => m.id === sent.id)?.body).toEqual(body);
  });

  it("gives each message to one copy of a service, and a copy of it to each other service", async () => {
    const a = await open("validator");
    const b = await open("validator");
    const tracker = await open("state-tracker");
    const seen: Record<string, string[]> = { a: [], b: [], tracker: [] };
    const delivered = new Signal();
    const record = (who: string) => async (m: Message) => {
      seen[who]!.push(m.project ?? "");
      delivered.notify();
    };
    await a.consume("project.validate.request", record("a"));
    await b.consume("project.validate.request", record("b"));
    await tracker.consume("project.scan.started", record("tracker"));
    const n = 20;
    for (let i = 0; i < n; i++) {
      await sender.send("project.validate.request", { group: "g", project: `p${i}` }, { ...body, inventory: "/w/i.json", product: "/w/z.zarr" });
    }
    await sender.send("project.scan.started", { group: "g", project: "x" }, { worker: "w" });
    await waitFor("all validate requests", () => (seen["a"]!.length + seen["b"]!.length === n ? true : undefined), { signal: delivered });
    expect([...seen["a"]!, ...seen["b"]!].sort()).toEqual(Array.from({ length: n }, (_, i) => `p${i}`).sort());
    expect(seen["a"]!.length).toBeGreaterThan(0);
    expect(seen["b"]!.length).toBeGreaterThan(0);
    await waitFor("the tracker's copy", () => (seen["tracker"]!.includes("x") ? true : undefined), { signal: delivered });
  });

  it("retries a transient handler failure and dead-letters a permanent one, staying up", async () => {
    const computer = await open("computer", 2);
    const attempts: Record<string, number> = {};
    const done: string[] = [];
    const handled = new Signal();
    await computer.consume("project.compute.request", async (m) => {
      const p = m.project ?? "";
      attempts[p] = (attempts[p] ?? 0) + 1;
      if (p === "flaky" && attempts[p]! < 2) throw new DroverError("TransientError", "disk busy", { permanent: false });
      if (p === "poison") throw new DroverError("ComputeError", "cannot ever work");
      done.push(p);
      handled.notify();
    });
    const req = { ...body, inventory: "/w/i.json" };
    await sender.send("project.compute.request", { group: "g", project: "flaky" }, req);
    await sender.send("project.compute.request", { group: "g", project: "poison" }, req);
    await sender.send("project.compute.request", { group: "g", project: "fine" }, req);
    await waitFor("flaky to succeed on its second attempt", () => (done.includes("flaky") && done.includes("fine") ? true : undefined), { signal: handled });
    expect(attempts["flaky"]).toBe(2);
    expect(attempts["poison"]).toBe(1);
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const parked = await eventually("the poison message in the dead-letter queue", async () => {
      const m = await ch.get(deadLetterQueue(iso.exchange), { noAck: true });
      return m ? (JSON.parse(m.content.toString()) as Message) : undefined;
    });
    expect(parked.project).toBe("poison");
    await conn.close();
  });

  it("waits out a retry in the broker's retry queue, not holding the delivery: the next message is handled meanwhile", async () => {
    // One message at a time, and a first retry a minute away: a handler that slept would block the queue.
    // (A queue no other test consumes: their consumers stay open until the end of the file.)
    const completion = await open("completion", 3, { prefetch: 1, retryBaseMs: 60_000 });
    const attempts: Record<string, number> = {};
    const handled = new Signal();
    await completion.consume("group.complete.request", async (m) => {
      attempts[m.group] = (attempts[m.group] ?? 0) + 1;
      handled.notify();
      if (m.group === "later") throw new DroverError("TransientError", "database away", { permanent: false });
    });
    const req = { completeDir: "/c", projects: [{ code: "p", product: "/w/p.json", revision: "k1.0", dataReport: "/w/d.json", metadataReport: "/w/m.json" }] };
    await sender.send("group.complete.request", { group: "later" }, req);
    await sender.send("group.complete.request", { group: "next" }, req);
    await waitFor("the next message while the first waits", () => (attempts["next"] === 1 ? true : undefined), { signal: handled });
    expect(attempts["later"]).toBe(1);
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const waiting = await ch.checkQueue(retryQueueName(queueName(iso.exchange, "completion", "group.complete.request")));
    expect(waiting.messageCount).toBe(1);
    await conn.close();
  });
});
