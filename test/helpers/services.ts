import { randomUUID } from "node:crypto";
import { Socket } from "node:net";
import Nano from "nano";
import { connectBus, deleteTopology, readGroup, silentLogger, type DocStore, type GroupDoc } from "@drover/shared";
import type { Running } from "./processes.js";
import { Signal, waitFor, within } from "./wait.js";

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

/** A fresh exchange and database for one test file; `cleanup` deletes exactly those, in bounded time. */
export function isolate(label: string): Isolation {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  const exchange = `drover-test-${id}`;
  const db = `drover_test_${id.replace(/[^a-z0-9]/g, "_")}`;
  const dropTopology = () => deleteTopology(AMQP_URL, exchange);
  return {
    exchange,
    db,
    async cleanup() {
      // A broker or database that is gone, or too slow to answer, leaves nothing of ours worth
      // failing for: say so and go on (an afterAll must end within its own time limit).
      for (const [what, step] of [
        [`the exchange ${exchange} and its queues`, dropTopology],
        [`the database ${db}`, () => Nano(COUCHDB_URL).db.destroy(db)],
      ] as const) {
        const done = await within(step(), 60_000);
        if (!done) console.warn(`cleanup: gave up deleting ${what} after 60 s`);
      }
    },
  };
}

/**
 * Waits until `check` returns a value (not undefined), polling every `every` ms; gives up after
 * `ms`, and in any case a little before the running test's own time limit (see wait.ts).
 */
export function eventually<T>(what: string, check: () => Promise<T | undefined>, ms?: number, every = 200): Promise<T> {
  return waitFor(what, check, { ms, every });
}

export interface GroupWatch {
  /**
   * The group's document once it is in one of `states` (by default Completed or Incomplete):
   * woken by the bus's group.state.changed, with the database read at once (a change before the
   * call is not missed) and every few seconds as a fallback. Fails at once when one of `services`
   * exits, and at the latest a little before the test's own time limit.
   */
  settled(group: string, options?: { states?: string[]; services?: Running[] }): Promise<GroupDoc>;
  close(): Promise<void>;
}

/** Listens to the groups' state changes on `exchange` (bound at once: open it before launching). */
export async function watchGroups(exchange: string, store: DocStore): Promise<GroupWatch> {
  const bus = await connectBus({ url: AMQP_URL, exchange, service: "test-watcher", logger: silentLogger });
  const changed = new Signal();
  await bus.watch("group.state.changed", () => changed.notify());
  return {
    settled(group, { states = ["Completed", "Incomplete"], services = [] } = {}) {
      return waitFor(
        `group ${group} to reach ${states.join(" or ")}`,
        async () => {
          const g = await readGroup(store, `group:${group}`);
          return g && states.includes(g.state) ? g : undefined;
        },
        { signal: changed, processes: services },
      );
    },
    close: () => bus.close(),
  };
}

/** The environment every service of an isolated test run gets: its broker exchange, its database, its directories. */
export function serviceEnv(iso: Isolation, home: string, data: string, extra: Record<string, string> = {}): Record<string, string> {
  return { AMQP_URL, AMQP_EXCHANGE: iso.exchange, COUCHDB_URL, COUCHDB_DB: iso.db, DROVER_HOME: home, DROVER_DATA_ROOTS: data, ...extra };
}
