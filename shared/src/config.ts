import { delimiter, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { DroverError } from "./errors.js";
import { redactSecrets } from "./redact.js";
import { DEFAULT_TASK_TIMEOUT_S, MAX_TASK_TIMEOUT_S } from "./tasks/task-pool.js";

// Every setting comes from the environment. Defaults work on one machine: the broker Debian's
// rabbitmq-server gives, the embedded CouchDB-compatible server our scripts start, and
// directories under ./var of the checkout.

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
    error: "must be one of true/false/1/0/yes/no/on/off",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const positiveInt = z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1");

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );

/** The raw environment variables, with their defaults, as the documentation lists them. */
export const EnvSchema = z.object({
  /** RabbitMQ URL. */
  AMQP_URL: url(["amqp:", "amqps:"]).default("amqp://guest:guest@127.0.0.1:5672"),
  /** The durable topic exchange every message goes through. */
  AMQP_EXCHANGE: z.string().regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only").default("drover"),
  /** Unacknowledged messages one service copy holds at once (workers: jobs in parallel). */
  AMQP_PREFETCH: positiveInt.optional(),
  /** CouchDB (or pouchdb-server) URL, with credentials when the server needs them. */
  COUCHDB_URL: url(["http:", "https:"]).default("http://127.0.0.1:5984"),
  /** Database holding groups, projects and history. */
  COUCHDB_DB: z
    .string()
    .regex(/^[a-z][a-z0-9_$()+/-]*$/, "CouchDB names start with a lowercase letter: a-z 0-9 _ $ ( ) + - /")
    .default("drover"),
  /** Base of the default directories. */
  DROVER_HOME: z.string().default("var"),
  /** Per-project working files: inventories, products in progress, reports. */
  DROVER_WORK_DIR: z.string().optional(),
  /** Where completed groups' products and reports are published. */
  DROVER_COMPLETE_DIR: z.string().optional(),
  /** Directories source files must live under, separated by ':' (the OS path delimiter). */
  DROVER_DATA_ROOTS: z.string().optional(),
  /** Send the next phase's request as soon as a project advances. */
  DROVER_AUTO_ADVANCE: bool.default(true),
  /** Accept ValidatedWithWarnings without an operator (PADOCC/SHEPARD treat warnings as complete). */
  DROVER_ACCEPT_WARNINGS: bool.default(false),
  /** Attempts per phase before a transient failure becomes final. */
  DROVER_MAX_ATTEMPTS: positiveInt.default(3),
  /** Worker threads running a service copy's tasks (scan, compute, validate, complete); default: one per message it holds (AMQP_PREFETCH). */
  DROVER_TASK_THREADS: positiveInt.optional(),
  /** Seconds one task may run before its thread is stopped and the task fails as transient (retried). */
  DROVER_TASK_TIMEOUT: z.coerce
    .number({ error: "must be a number of seconds" })
    .positive("must be more than 0 seconds")
    .max(MAX_TASK_TIMEOUT_S, `must be at most ${MAX_TASK_TIMEOUT_S} seconds (about 24 days)`)
    .default(DEFAULT_TASK_TIMEOUT_S),
  /** Seconds past a task's budget (× 1.25) before the state-tracker counts a started task as lost and sends it again. */
  DROVER_LOST_MARGIN: z.coerce.number({ error: "must be a number of seconds" }).min(0, "must not be negative").max(86_400, "must be at most 86400 seconds").default(120),
  /** Seconds between the state-tracker's periodic passes (group reviews, outboxes, lost tasks). */
  DROVER_PERIODIC_PASS: z.coerce.number({ error: "must be a number of seconds" }).min(1, "must be at least 1 second").max(3600, "must be at most 3600 seconds").default(30),
  /** Seconds a stopping service (SIGTERM, Ctrl-C) waits for the messages it is handling before it hands them back to their queues. */
  DROVER_STOP_GRACE: z.coerce.number({ error: "must be a number of seconds" }).min(0, "must not be negative").max(3600, "must be at most 3600 seconds").default(8),
  /** Path to a JSON ignore template (errors the validator may bypass), optional. */
  DROVER_VALIDATION_IGNORE: z.string().optional(),
  /** PADOCC's remote copy: "<local prefix>=<URL prefix>", e.g. "/badc/=https://dap.ceda.ac.uk/badc/". */
  DROVER_REMOTE_PREFIX: z
    .string()
    .regex(/^\/[^=]*=[a-z][a-z0-9+.-]*:\/\/\S+$/, 'must be "<local prefix>=<URL prefix>", e.g. /badc/=https://dap.ceda.ac.uk/badc/')
    .optional(),
  /** References are written as Parquet instead of JSON above this estimated JSON size (bytes; PADOCC: 500 MB). */
  DROVER_PARQUET_ABOVE: z.coerce.number({ error: "must be a number of bytes" }).min(0, "must not be negative").default(500e6),
  /** The dashboard's address: 127.0.0.1 (this machine only) unless told otherwise. */
  DROVER_DASHBOARD_HOST: z.string().min(1, "must name an interface, e.g. 127.0.0.1 or 0.0.0.0").default("127.0.0.1"),
  /** The dashboard's TCP port (0: any free port, said in its "ready" line). */
  DROVER_DASHBOARD_PORT: z.coerce.number({ error: "must be a port number" }).int("must be a whole number").min(0).max(65535, "must be at most 65535").default(8770),
  /** The secret the dashboard's actions need (Authorization: Bearer …); without it the dashboard is read-only. */
  DROVER_DASHBOARD_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  /** RabbitMQ's management API (http://user:pw@host:15672): the dashboard's queue rates; else AMQP queue checks. */
  RABBITMQ_MANAGEMENT_URL: url(["http:", "https:"]).optional(),
  /** trace | debug | info | warn | error. */
  DROVER_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** auto: readable lines on a terminal, JSON otherwise. */
  DROVER_LOG_FORMAT: z.enum(["auto", "pretty", "json"]).default("auto"),
});

export interface Config {
  amqpUrl: string;
  exchange: string;
  prefetch: number | undefined;
  couchUrl: string;
  couchDb: string;
  home: string;
  workDir: string;
  completeDir: string;
  dataRoots: string[];
  autoAdvance: boolean;
  acceptWarnings: boolean;
  maxAttempts: number;
  /** Task threads per service copy; undefined: one per prefetched message. */
  taskThreads: number | undefined;
  /** A task's time budget, in seconds. */
  taskTimeout: number;
  /** How long a stopping service waits for the messages it is handling, in ms. */
  stopGraceMs: number;
  /** Seconds past a task's budget × 1.25 before a started task counts as lost. */
  lostMarginSeconds: number;
  /** The state-tracker's periodic pass, in ms. */
  periodicPassMs: number;
  validationIgnore: string | undefined;
  /** Rewrite of source paths into URLs for the published remote copy of references. */
  remote: { from: string; to: string } | undefined;
  parquetAbove: number;
  logLevel: string;
  logFormat: "auto" | "pretty" | "json";
  dashboard: { host: string; port: number; token: string | undefined };
  rabbitManagementUrl: string | undefined;
}

/** Parses the environment; a bad setting throws a ConfigError naming the variable and the fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== "")
      .map((k) => [k, env[k]]),
  );
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "?");
      return `${name}=${JSON.stringify(redactUrl(env[name] ?? ""))}: ${i.message}`;
    });
    throw new DroverError("ConfigError", `bad setting in the environment:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const home = abs(e.DROVER_HOME);
  const roots = (e.DROVER_DATA_ROOTS ?? resolve(home, "data")).split(delimiter).filter((r) => r !== "");
  if (roots.length === 0) {
    throw new DroverError("ConfigError", "DROVER_DATA_ROOTS is empty: name at least one directory");
  }
  return {
    amqpUrl: e.AMQP_URL,
    exchange: e.AMQP_EXCHANGE,
    prefetch: e.AMQP_PREFETCH,
    couchUrl: e.COUCHDB_URL,
    couchDb: e.COUCHDB_DB,
    home,
    workDir: abs(e.DROVER_WORK_DIR ?? resolve(home, "work")),
    completeDir: abs(e.DROVER_COMPLETE_DIR ?? resolve(home, "complete")),
    dataRoots: roots.map(abs),
    autoAdvance: e.DROVER_AUTO_ADVANCE,
    acceptWarnings: e.DROVER_ACCEPT_WARNINGS,
    maxAttempts: e.DROVER_MAX_ATTEMPTS,
    taskThreads: e.DROVER_TASK_THREADS,
    taskTimeout: e.DROVER_TASK_TIMEOUT,
    stopGraceMs: Math.round(e.DROVER_STOP_GRACE * 1000),
    lostMarginSeconds: e.DROVER_LOST_MARGIN,
    periodicPassMs: Math.round(e.DROVER_PERIODIC_PASS * 1000),
    validationIgnore: e.DROVER_VALIDATION_IGNORE === undefined ? undefined : abs(e.DROVER_VALIDATION_IGNORE),
    remote: e.DROVER_REMOTE_PREFIX === undefined ? undefined : { from: e.DROVER_REMOTE_PREFIX.split("=")[0] ?? "", to: e.DROVER_REMOTE_PREFIX.slice(e.DROVER_REMOTE_PREFIX.indexOf("=") + 1) },
    parquetAbove: e.DROVER_PARQUET_ABOVE,
    logLevel: e.DROVER_LOG_LEVEL,
    logFormat: e.DROVER_LOG_FORMAT,
    dashboard: { host: e.DROVER_DASHBOARD_HOST, port: e.DROVER_DASHBOARD_PORT, token: e.DROVER_DASHBOARD_TOKEN },
    rabbitManagementUrl: e.RABBITMQ_MANAGEMENT_URL,
  };
}

/** The URL with any password replaced, for logs. */
export function redactUrl(u: string): string {
  try {
    const p = new URL(u);
    if (!p.password) return u;
    p.password = "***";
    return p.toString();
  } catch {
    // Not a URL (a typo in one, often): still never show what looks like user:password@.
    return redactSecrets(u).replace(/([^\s:/@]+):[^\s:/@]+@/g, "$1:***@");
  }
}
