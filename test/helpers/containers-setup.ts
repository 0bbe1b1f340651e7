import { containersEnv, containersNotWanted, engineProblem, engineRequired, startContainerServices, type ContainerServices } from "./containers.js";

// vitest globalSetup of the projects that need a broker and a database (vitest.config.ts): starts
// them as containers when that is wanted (see containers.ts), before any test file is loaded, and
// sets AMQP_URL / COUCHDB_URL for the test processes. Several projects share it, and vitest may
// call their setups side by side: the first call starts the containers (one promise, kept on
// globalThis, which every project's copy of this module sees) and returns the teardown that
// removes them; the others wait for the same containers.

const KEY = Symbol.for("drover.test.containers");
type Shared = { [KEY]?: Promise<ContainerServices | undefined> };

async function start(): Promise<ContainerServices | undefined> {
  const env = containersEnv();
  if (containersNotWanted(env) !== undefined) return undefined;
  process.env["TESTCONTAINERS_RYUK_DISABLED"] = "true";
  const tc = await import("testcontainers");
  const problem = await engineProblem(tc);
  if (problem !== undefined) {
    const msg = `no Docker engine for the testcontainers run (${problem.split("\n")[0]})`;
    if (env.DROVER_TEST_CONTAINERS === "always") {
      throw new Error(`${msg}: start one ('bash scripts/images.sh' installs and starts it as root), or set AMQP_URL and COUCHDB_URL to use running services`);
    }
    // The integration tests fall back to the local services (and fail under CI=true when those are
    // missing); test/containers/services.test.ts fails under CI=true without containers.
    console.warn(`testcontainers: ${msg}; the tests use the local services${engineRequired(env) ? " (CI=true: the testcontainers tests will fail)" : ""}`);
    return undefined;
  }
  const t0 = Date.now();
  let services: ContainerServices;
  try {
    services = await startContainerServices(env);
  } catch (e) {
    // auto: best effort (an image that cannot be had here is no reason to fail the local run).
    if (env.DROVER_TEST_CONTAINERS === "always") throw e;
    console.warn(`testcontainers: ${(e as Error).message.split("\n").join(" ")}; the tests use the local services`);
    return undefined;
  }
  process.env["AMQP_URL"] = services.amqpUrl;
  process.env["COUCHDB_URL"] = services.couchUrl;
  process.env["DROVER_TEST_SERVICES"] = `containers: ${services.images.rabbitmq}, ${services.images.couchdb}`;
  console.log(
    `testcontainers: the tests' broker and database are containers (${services.images.rabbitmq}, ${services.images.couchdb}), up in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      "set AMQP_URL and COUCHDB_URL (or DROVER_TEST_CONTAINERS=never) to use running services",
  );
  return services;
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const shared = globalThis as Shared;
  if (shared[KEY] !== undefined) {
    await shared[KEY];
    return undefined;
  }
  shared[KEY] = start();
  const services = await shared[KEY];
  if (services === undefined) return undefined;
  return async () => {
    await services.stop();
    delete process.env["AMQP_URL"];
    delete process.env["COUCHDB_URL"];
    delete process.env["DROVER_TEST_SERVICES"];
    delete shared[KEY];
  };
}
