import { z } from "zod";

// The broker and the database from testcontainers (issue 12): when no service URL is given
// (AMQP_URL, COUCHDB_URL, DROVER_TEST_COUCHDB_URL) and a Docker engine answers, a test run starts a
// RabbitMQ and a CouchDB API container of its own and hands their URLs to the tests through the
// environment (test/helpers/services.ts reads AMQP_URL and COUCHDB_URL). Without an engine the
// tests use the local services as before; with DROVER_TEST_CONTAINERS=always a missing engine fails
// the run, and under CI=true test/containers/services.test.ts fails in a run without containers. testcontainers is imported only here, only when used.
// Ryuk (its reaper) cannot be pulled on these machines: it is disabled, and the run removes its
// containers itself (globalSetup's teardown, test/helpers/containers-setup.ts).

const optional = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

/** The environment this helper reads; a bad value names the variable and the fix. */
export const ContainersEnvSchema = z.object({
  AMQP_URL: optional,
  COUCHDB_URL: optional,
  DROVER_TEST_COUCHDB_URL: optional,
  /** auto: containers when an engine answers; always: an engine is required; never: local services. */
  DROVER_TEST_CONTAINERS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(["auto", "always", "never"], { error: "must be auto, always or never" }).default("auto"),
  ),
  /** Images; by default the local stand-ins of scripts/images.sh when built, else Docker Hub's. */
  DROVER_RABBITMQ_IMAGE: optional,
  DROVER_COUCHDB_IMAGE: optional,
  /** Labels the containers of one run (scripts/test-compose.sh). */
  DROVER_TEST_RUN_ID: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits and _ . - only").optional()),
  CI: optional,
});
export type ContainersEnv = z.infer<typeof ContainersEnvSchema>;

export function containersEnv(env: NodeJS.ProcessEnv = process.env): ContainersEnv {
  const parsed = ContainersEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])] ?? "")}: ${i.message}`);
    throw new Error(`test/helpers/containers.ts: bad test environment:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data;
}

/** Why the run does not start containers (a service URL is set, or they are switched off), or undefined. */
export function containersNotWanted(env: ContainersEnv): string | undefined {
  if (env.DROVER_TEST_CONTAINERS === "never") return "DROVER_TEST_CONTAINERS=never";
  const given = (["AMQP_URL", "COUCHDB_URL", "DROVER_TEST_COUCHDB_URL"] as const).filter((k) => env[k] !== undefined);
  if (given.length > 0) return `${given.join(" and ")} ${given.length > 1 ? "are" : "is"} set`;
  return undefined;
}

/** Whether a missing Docker engine fails the run rather than falling back to the local services. */
export function engineRequired(env: ContainersEnv): boolean {
  return env.DROVER_TEST_CONTAINERS === "always" || env.CI === "true";
}

/** The stand-ins scripts/images.sh builds, used when present and no image is named. */
export const LOCAL_IMAGES = { rabbitmq: "drover-local/rabbitmq:3", couchdb: "drover-local/couchdb-pouchdb:3" } as const;
export const HUB_IMAGES = { rabbitmq: "rabbitmq:3-management", couchdb: "couchdb:3" } as const;

export interface ContainerServices {
  amqpUrl: string;
  couchUrl: string;
  images: { rabbitmq: string; couchdb: string };
  /** Stops and removes both containers (and their anonymous volumes). */
  stop(): Promise<void>;
}

type Testcontainers = typeof import("testcontainers");

/** The engine's answer: undefined when it answers, else the reason (testcontainers' own message). */
export async function engineProblem(tc: Testcontainers): Promise<string | undefined> {
  try {
    const client = await tc.getContainerRuntimeClient();
    await client.info;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function pickImage(tc: Testcontainers, named: string | undefined, local: string, hub: string): Promise<string> {
  if (named) return named;
  const client = await tc.getContainerRuntimeClient();
  return (await client.image.exists(tc.ImageName.fromString(local))) ? local : hub;
}

const secret = () => Math.random().toString(36).slice(2, 12) + Math.random().toString(36).slice(2, 12);

/**
 * Starts a RabbitMQ and a CouchDB API container, on random host ports, with their own
 * credentials; resolves once both accept work (RabbitMQ's "Server startup complete", CouchDB's GET /).
 */
export async function startContainerServices(env: ContainersEnv, startupMs = 180_000): Promise<ContainerServices> {
  process.env["TESTCONTAINERS_RYUK_DISABLED"] = "true";
  const tc: Testcontainers = await import("testcontainers");
  const images = {
    rabbitmq: await pickImage(tc, env.DROVER_RABBITMQ_IMAGE, LOCAL_IMAGES.rabbitmq, HUB_IMAGES.rabbitmq),
    couchdb: await pickImage(tc, env.DROVER_COUCHDB_IMAGE, LOCAL_IMAGES.couchdb, HUB_IMAGES.couchdb),
  };
  const mq = { user: "drover", pass: secret() };
  const db = { user: "admin", pass: secret() };
  // DROVER_TEST_RUN_ID labels this run's containers, so that scripts/test-compose.sh removes those
  // of its own run after a kill, and never another run's.
  const labels = { "org.drover.test": "testcontainers", "org.drover.test.run": env.DROVER_TEST_RUN_ID ?? String(process.pid) };
  const started = await Promise.allSettled([
    new tc.GenericContainer(images.rabbitmq)
      .withEnvironment({ RABBITMQ_DEFAULT_USER: mq.user, RABBITMQ_DEFAULT_PASS: mq.pass, RABBITMQ_LOGS: "-" })
      .withExposedPorts(5672)
      .withLabels(labels)
      .withWaitStrategy(tc.Wait.forAll([tc.Wait.forLogMessage(/Server startup complete/), tc.Wait.forListeningPorts()]))
      .withStartupTimeout(startupMs)
      .start(),
    new tc.GenericContainer(images.couchdb)
      .withEnvironment({ COUCHDB_USER: db.user, COUCHDB_PASSWORD: db.pass })
      .withExposedPorts(5984)
      .withLabels(labels)
      .withWaitStrategy(tc.Wait.forHttp("/", 5984).forStatusCode(200))
      .withStartupTimeout(startupMs)
      .start(),
  ]);
  const containers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.allSettled(containers.map((c) => c.stop({ remove: true, removeVolumes: true, timeout: 10_000 })));
  };
  const failed = started.flatMap((s, i) => (s.status === "rejected" ? [`${i === 0 ? images.rabbitmq : images.couchdb}: ${String(s.reason instanceof Error ? s.reason.message : s.reason)}`] : []));
  if (failed.length > 0) {
    await stop();
    throw new Error(
      `test/helpers/containers.ts: a service container did not start:\n  ${failed.join("\n  ")}\n` +
        "Build the local images with 'bash scripts/images.sh', or name others in DROVER_RABBITMQ_IMAGE / DROVER_COUCHDB_IMAGE.",
    );
  }
  const [rabbit, couch] = containers as [(typeof containers)[0], (typeof containers)[0]];
  return {
    amqpUrl: `amqp://${mq.user}:${mq.pass}@${rabbit.getHost()}:${rabbit.getMappedPort(5672)}`,
    couchUrl: `http://${db.user}:${db.pass}@${couch.getHost()}:${couch.getMappedPort(5984)}`,
    images,
    stop,
  };
}
