import { randomUUID } from "node:crypto";
import { Socket } from "node:net";
import amqp from "amqplib";
import Nano from "nano";
import { consumes, deadLetterQueue, queueName } from "@drover/shared";

// Integration tests talk to a real RabbitMQ and a real CouchDB API. Each run uses its own
// exchange (so its own queues) and its own database, and deletes only those afterwards.
// Without the services: a failure under CI=true, a visible skip otherwise.

export const AMQP_URL = process.env["AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672";
export const COUCHDB_URL = process.env["COUCHDB_URL"] ?? process.env["DROVER_TEST_COUCHDB_URL"] ?? "http://127.0.0.1:5984";

function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(1500);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(false));
    s.connect(Number(u.port || fallbackPort), u.hostname);
  });
}

/** Whether the broker and the database answer; under CI a missing one throws. */
export async function servicesAvailable(): Promise<boolean> {
  const [mq, db] = await Promise.all([reachable(AMQP_URL, 5672), reachable(COUCHDB_URL, 5984)]);
  if (mq && db) return true;
  const missing = [!mq ? `RabbitMQ (${AMQP_URL})` : "", !db ? `CouchDB API (${COUCHDB_URL})` : ""].filter(Boolean).join(" and ");
  const msg = `integration tests need ${missing}: run them with 'npm test', which starts both`;
  if (process.env["CI"] === "true") throw new Error(msg);
  console.warn(`SKIPPED: ${msg}`);
  return false;
}

export interface Isolation {
  exchange: string;
  db: string;
  cleanup(): Promise<void>;
}

/** A fresh exchange and database for one test file; `cleanup` deletes exactly those. */
export function isolate(label: string): Isolation {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  const exchange = `drover-test-${id}`;
  const db = `drover_test_${id.replace(/[^a-z0-9]/g, "_")}`;
  return {
    exchange,
    db,
    async cleanup() {
      try {
        const conn = await amqp.connect(AMQP_URL);
        const ch = await conn.createChannel();
        for (const [svc, sels] of Object.entries(consumes)) for (const s of sels) await ch.deleteQueue(queueName(exchange, svc, s));
        await ch.deleteQueue(deadLetterQueue(exchange));
        await ch.deleteExchange(exchange);
        await ch.deleteExchange(`${exchange}.dead`);
        await conn.close();
      } catch {
        // the broker may be gone already; nothing of ours to leak then
      }
      try {
        await Nano(COUCHDB_URL).db.destroy(db);
      } catch {
        // never created
      }
    },
  };
}

/** Waits until `check` returns a value (not undefined), polling; fails with `what` after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000, every = 200): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
