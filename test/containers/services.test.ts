import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, connectBus, newProject, openCouchStore, silentLogger, type Bus, type DocStore, type Message } from "@drover/shared";
import { containersEnv, containersNotWanted, engineRequired } from "../helpers/containers.js";
import { AMQP_URL, COUCHDB_URL, isolate } from "../helpers/services.js";
import { Signal, waitFor, within } from "../helpers/wait.js";

// The testcontainers path (issue 12): the run's broker and database are containers it started
// (test/helpers/containers-setup.ts), not the machine's services. scripts/test-compose.sh runs this
// file with no service URL set; in a run that was given service URLs it says why it is skipped,
// and under CI=true (or DROVER_TEST_CONTAINERS=always) a run without containers fails here.

const fromContainers = process.env["DROVER_TEST_SERVICES"]?.startsWith("containers:") === true;
const env = containersEnv();
if (!fromContainers) {
  const why = containersNotWanted(env) ?? "no Docker engine answered, or a container did not start: see the testcontainers line above";
  const msg = `the testcontainers tests need a run that started containers, and this one did not (${why}): run 'npm run test:containers'`;
  if (engineRequired(env) && containersNotWanted(env) === undefined) throw new Error(msg);
  console.warn(`SKIPPED: ${msg}`);
}

describe.skipIf(!fromContainers)("the broker and the database from testcontainers", () => {
  const iso = isolate("containers");
  const buses: Bus[] = [];
  let store: DocStore;
  beforeAll(async () => {
    store = await openCouchStore(COUCHDB_URL, iso.db);
  });
  afterAll(async () => {
    await within(Promise.all(buses.map((b) => b.close())), 30_000);
    await iso.cleanup();
  });

  it("are containers on mapped ports, not the machine's own services", () => {
    const amqp = new URL(AMQP_URL);
    const couch = new URL(COUCHDB_URL);
    expect(amqp.port).not.toBe("5672");
    expect(amqp.port).not.toBe("");
    expect(couch.port).not.toBe("5984");
    expect(amqp.username).toBe("drover");
    expect(couch.username).toBe("admin");
  });

  it("carries a message from a sender to a consumer over the container's RabbitMQ", async () => {
    const open = async (service: string) => {
      const b = await connectBus({ url: AMQP_URL, exchange: iso.exchange, service, logger: silentLogger });
      buses.push(b);
      return b;
    };
    const sender = await open("cli");
    const scanner = await open("scanner");
    const got: Message[] = [];
    const delivered = new Signal();
    await scanner.consume("project.scan.request", async (m) => {
      got.push(m);
      delivered.notify();
    });
    const body = { files: ["/data/a.nc"], config: { format: "zarr" as const }, workDir: "/work/p" };
    const sent = await sender.send("project.scan.request", { group: "g", project: "p" }, body);
    await waitFor("the request", () => (got.some((m) => m.id === sent.id) ? true : undefined), { signal: delivered });
    expect(got.find((m) => m.id === sent.id)?.body).toEqual(body);
  });

  it("keeps documents in the container's CouchDB API and refuses a stale _rev", async () => {
    const doc = newProject("g", "p", ["/a.nc"], { format: "zarr" }, "/w", new Date().toISOString());
    const rev1 = await store.put(doc);
    await store.put({ ...doc, _rev: rev1 });
    await expect(store.put({ ...doc, _rev: rev1 })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get(doc._id)).toMatchObject({ _id: doc._id });
  });

  it("refuses a server admin's request (deleting a database) to a client without the container's credentials", async () => {
    const anonymous = new URL(COUCHDB_URL);
    anonymous.username = "";
    anonymous.password = "";
    const res = await fetch(new URL(`/${iso.db}`, anonymous), { method: "DELETE" });
    expect(res.status).toBe(401);
    expect(await store.get("project:g:p")).toBeDefined();
  });
});
