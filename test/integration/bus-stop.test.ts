import amqp from "amqplib";
import { afterAll, describe, expect, it } from "vitest";
import { connectBus, deadLetterQueue, DroverError, PARK_REASON_HEADER, silentLogger, type Bus, type BusOptions, type Message } from "@drover/shared";
import { AMQP_URL, eventually, isolate, servicesAvailable } from "../helpers/services.js";
import { Signal, waitFor, within } from "../helpers/wait.js";

// The bus's bounds and its stop: bodies over the limit are refused at send and parked unparsed at
// receipt; a stopping service finishes what it holds within its grace or hands it back.

const available = await servicesAvailable();
const body = { files: ["/data/a.nc"], config: { format: "zarr" as const }, workDir: "/work/p" };

describe.skipIf(!available)("the bus's bounds and stop", () => {
  const iso = isolate("busstop");
  const buses: Bus[] = [];
  const open = async (service: string, extra: Partial<BusOptions> = {}) => {
    const b = await connectBus({ url: AMQP_URL, exchange: iso.exchange, service, logger: silentLogger, handlerRetries: 2, ...extra });
    buses.push(b);
    return b;
  };
  afterAll(async () => {
    await within(Promise.all(buses.map((b) => b.close(0))), 30_000);
    await iso.cleanup();
  });

  it("refuses to send a body over the limit, and parks one received over it with the reason, unparsed", async () => {
    const sender = await open("cli", { maxMessageBytes: 4096 });
    await expect(sender.send("project.scan.request", { group: "g", project: "big" }, { ...body, files: Array.from({ length: 200 }, (_, i) => `/data/${"f".repeat(40)}${i}.nc`) })).rejects.toThrow(
      /its body is \d+ bytes, over the limit of 4096 bytes/,
    );
    // A forger's body reaches a consumer whose limit is lower than the sender's.
    const big = await open("cli");
    const scanner = await open("scanner", { maxMessageBytes: 4096 });
    let handled = 0;
    await scanner.consume("project.scan.request", async () => {
      handled++;
    });
    const sent = await big.send("project.scan.request", { group: "g", project: "big" }, { ...body, files: Array.from({ length: 200 }, (_, i) => `/data/${"f".repeat(40)}${i}.nc`) });
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const parked = await eventually("the oversized message in the dead-letter queue", async () => {
      const m = await ch.get(deadLetterQueue(iso.exchange), { noAck: true });
      return m ? m : undefined;
    });
    expect(parked.properties.messageId).toBe(sent.id);
    expect(String(parked.properties.headers?.[PARK_REASON_HEADER])).toMatch(/^oversized: \d+ bytes > 4096$/);
    expect(handled).toBe(0);
    await conn.close();
  });

  it("parks a message whose retries ran out with the handler's reason, and it stays parked (no retry delay carried over)", async () => {
    const sender = await open("cli");
    const tracker = await open("state-tracker", { handlerRetries: 1, retryBaseMs: 50 });
    let attempts = 0;
    await tracker.consume("project.scan.succeeded", async () => {
      attempts++;
      throw new DroverError("TransientError", "database away at http://admin:pw@couch", { permanent: false });
    });
    const sent = await sender.send("project.scan.succeeded", { group: "g", project: "late" }, { inventory: "/w/i.json", summary: { files: 1, bytes: 1, variables: [], concatDim: null, identicalDims: [], concatLength: 1, chunks: 1, issues: [] } });
    await waitFor("two attempts", () => (attempts >= 2 ? true : undefined), { every: 50 });
    // Longer than the retry's 50 ms delay: a parked copy that kept it would have expired by now.
    await new Promise((r) => setTimeout(r, 1000));
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const parked = await eventually("the message in the dead-letter queue", async () => {
      const m = await ch.get(deadLetterQueue(iso.exchange), { noAck: true });
      return m && m.properties.messageId === sent.id ? m : undefined;
    });
    expect(String(parked.properties.headers?.[PARK_REASON_HEADER])).toMatch(/^gave up: database away at http:\/\/admin:\*\*\*@couch$/);
    expect(parked.properties.expiration).toBeUndefined();
    await conn.close();
  });

  it("a stopping consumer finishes the message it is handling within its grace, and takes no new one", async () => {
    const sender = await open("cli");
    const worker = await open("computer");
    const started = new Signal();
    const done: string[] = [];
    await worker.consume("project.compute.request", async (m: Message<"project.compute.request">) => {
      started.notify();
      await new Promise((r) => setTimeout(r, 1500));
      done.push(m.project ?? "");
    });
    await sender.send("project.compute.request", { group: "g", project: "one" }, { ...body, inventory: "/w/i.json" });
    await waitFor("the first task to start", () => (started.count > 0 ? true : undefined), { signal: started });
    await sender.send("project.compute.request", { group: "g", project: "two" }, { ...body, inventory: "/w/i.json" });
    const t0 = Date.now();
    const r = await worker.stop(10_000);
    expect(r).toEqual({ finished: 1, handedBack: 0 });
    expect(done).toEqual(["one"]);
    expect(Date.now() - t0).toBeLessThan(5000);
    // The second waits in the queue for another copy.
    const other = await open("computer");
    const got: string[] = [];
    const signal = new Signal();
    await other.consume("project.compute.request", async (m) => {
      got.push(m.project ?? "");
      signal.notify();
    });
    await waitFor("the other copy to take the second", () => (got.includes("two") ? true : undefined), { signal });
    expect(got).toEqual(["two"]);
    await other.close(0);
  });

  it("hands a message back to its queue when its handler outlasts the grace: another copy does it, nothing is lost", async () => {
    const sender = await open("cli");
    const stuck = await open("validator");
    const started = new Signal();
    await stuck.consume("project.validate.request", async () => {
      started.notify();
      await new Promise((r) => setTimeout(r, 20_000));
    });
    const sent = await sender.send("project.validate.request", { group: "g", project: "slow" }, { ...body, inventory: "/w/i.json", product: "/w/p.zarr" });
    await waitFor("the stuck handler to start", () => (started.count > 0 ? true : undefined), { signal: started });
    const t0 = Date.now();
    expect(await stuck.stop(300)).toEqual({ finished: 0, handedBack: 1 });
    expect(Date.now() - t0).toBeLessThan(3000);
    const other = await open("validator");
    const got: Message[] = [];
    const signal = new Signal();
    await other.consume("project.validate.request", async (m) => {
      got.push(m);
      signal.notify();
    });
    await waitFor("the handed-back message at another copy", () => (got.some((m) => m.id === sent.id) ? true : undefined), { signal });
  });
});
