import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { expect } from "vitest";
import {
  consumes,
  deadLetterQueue,
  deleteTopology,
  listDeadLetters,
  listProjects,
  openCouchStore,
  queueName,
  readGroup,
  retryQueueName,
  services as serviceNames,
  writeSeries,
  type DeadLetterDoc,
  type DocStore,
  type GroupDoc,
  type ProjectDoc,
  type ServiceName,
} from "@drover/shared";
import { ROOT, runCli, startService, type Running } from "./processes.js";
import { tinySeries } from "./series.js";
import { AMQP_URL, isolate, servicesAvailable } from "./services.js";
import { waitFor, within } from "./wait.js";

// Fault injection against the real services (issue 11): a stack of drover's five services on a
// group of tiny one-file projects, with its own database (an embedded pouchdb-server on a free
// port) and, when a case needs to restart it, its own RabbitMQ node; the final checks every
// case makes; and the table row each case records in var/faults-summary.json.

/** Projects per fault case (issue 11: at least 50). */
export const FAULT_PROJECTS = 50;

const POUCH = join(ROOT, "scripts", "pouchdb", "node_modules", ".bin", "pouchdb-server");
const RABBIT_BIN = "/usr/lib/rabbitmq/bin";
export const SUMMARY_FILE = join(ROOT, "var", "faults-summary.json");

/** The bus's line when a handler failed and its message went to a retry queue (shared/src/bus.ts). */
export const RETRY_LINE = "handler failed; the message waits in its retry queue";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stopChild(p: ChildProcess | undefined, signal: NodeJS.Signals = "SIGKILL", group = false): Promise<boolean> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  const gone = new Promise((r) => p.once("exit", r));
  try {
    if (group && p.pid) process.kill(-p.pid, signal);
    else p.kill(signal);
  } catch {
    // gone already
  }
  return within(gone, 20_000);
}

/** The test's own database server: an embedded pouchdb-server, which the test may kill and start again. */
export interface OwnDb {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: the database vanishes as a crashed server would. */
  stop(): Promise<void>;
}

export async function ownDatabase(dir: string): Promise<OwnDb> {
  if (!existsSync(POUCH)) throw new Error(`${POUCH} is missing: 'npm run stack:start' installs the embedded pouchdb-server`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  return {
    url,
    async start() {
      proc = spawn(POUCH, ["-p", String(port), "-o", "127.0.0.1", "-d", dir, "-n"], { cwd: dir, stdio: "ignore" });
      await waitFor("the test's own database to answer", async () => ((await fetch(url).then((r) => r.ok).catch(() => false)) ? true : undefined), { ms: 60_000 });
    },
    async stop() {
      if (!(await stopChild(proc))) throw new Error(`the test's pouchdb-server (pid ${proc?.pid}) did not exit after SIGKILL`);
    },
  };
}

/** Whether this machine can run a RabbitMQ node of the test's own (Debian's rabbitmq-server). */
export function canRunOwnBroker(): boolean {
  return existsSync(join(RABBIT_BIN, "rabbitmq-server")) && existsSync(join(RABBIT_BIN, "rabbitmqctl"));
}

/**
 * A RabbitMQ node of the test's own: its own node name, ports, data and Erlang cookie (a HOME
 * under the test's directory), registered with the machine's epmd. Restarting it disturbs
 * nobody else; its data survives a stop (durable queues, persistent messages).
 */
export interface OwnBroker {
  url: string;
  node: string;
  start(): Promise<void>;
  /** `rabbitmqctl stop` (as an operator restarting it would); SIGKILL if it does not go. */
  stop(): Promise<void>;
  /** SIGKILL of the node (a crash, or the machine losing power). */
  kill(): Promise<void>;
  output(): string;
}

export async function ownBroker(dir: string): Promise<OwnBroker> {
  const [port, dist] = [await freePort(), await freePort()];
  const node = `drover-fault-${process.pid}-${port}@localhost`;
  for (const d of ["mnesia", "log", "home"]) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "rabbitmq.conf"), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  writeFileSync(join(dir, "rabbitmq-env.conf"), "");
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(dir, "home"),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(dist),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_LOGS: "-",
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let out = "";
  const answers = async () => {
    const c = await amqp.connect(url, { timeout: 2000 }).catch(() => undefined);
    if (!c) return undefined;
    await c.close().catch(() => undefined);
    return true;
  };
  return {
    url,
    node,
    output: () => out,
    async start() {
      // Its own process group: a last SIGKILL reaches the Erlang VM under the start script.
      proc = spawn(join(RABBIT_BIN, "rabbitmq-server"), [], { env, cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
      proc.stdout?.on("data", keep);
      proc.stderr?.on("data", keep);
      const p = proc;
      await waitFor(`the test's own RabbitMQ node ${node} to accept connections`, async () => {
        if (p.exitCode !== null) throw new Error(`rabbitmq-server exited (${p.exitCode}): ${out.slice(-2000)}`);
        return answers();
      }, { ms: 90_000, every: 500 });
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      spawnSync(join(RABBIT_BIN, "rabbitmqctl"), ["-n", node, "stop"], { env, timeout: 60_000, stdio: "ignore" });
      if (await within(new Promise((r) => (p.exitCode !== null ? r(0) : p.once("exit", r))), 60_000)) return;
      await stopChild(p, "SIGKILL", true);
    },
    async kill() {
      if (!(await stopChild(proc, "SIGKILL", true))) throw new Error(`the test's RabbitMQ node ${node} did not exit after SIGKILL`);
      // The Erlang VM under the start script goes with its process group: wait until its port is closed.
      await waitFor(`the killed node ${node} to be gone`, async () => ((await answers()) ? undefined : true), { ms: 30_000, every: 200 });
    },
  };
}

export interface StackOptions {
  /** Names the case: its exchange, database, group and directories. */
  label: string;
  projects?: number;
  /** Own RabbitMQ node (to restart it) instead of the machine's broker with an exchange of the test's own. */
  ownBroker?: boolean;
  /** Environment for every service (e.g. DROVER_TASK_TIMEOUT). */
  env?: Record<string, string>;
  /** Copies of each service (default one each). */
  copies?: Partial<Record<ServiceName, number>>;
}

/** The checks every case makes at its end (see `settle`), as the summary's row and the details behind it. */
export interface FaultRow {
  fault: string;
  faultsInjected: number;
  projects: number;
  /** Projects with neither a published product nor a named failure (must be 0). */
  lost: number;
  /** Projects not at rest when the group settled (must be 0). */
  stuck: number;
  /** Products beyond one per project, and projects completed more than once (must be 0). */
  duplicated: number;
  /** Projects that ended in a named failure (the case says which deserve one). */
  failed: number;
  deadLetters: number;
  /** Handler failures sent to a retry queue, over every service process the case ran. */
  retries: number;
  wallSeconds: number;
  at: string;
  [more: string]: unknown;
}

export interface Settled {
  row: FaultRow;
  group: GroupDoc;
  projects: ProjectDoc[];
  deadLetters: DeadLetterDoc[];
  /** Product file names per project code. */
  products: Map<string, string[]>;
  /** Messages still in a queue of the case's topology (must be none). */
  queued: Record<string, number>;
  /** Names of services not running at the end (must be none). */
  dead: string[];
  stuckProjects: string[];
}

export interface FaultStack {
  label: string;
  group: string;
  home: string;
  data: string;
  exchange: string;
  dbName: string;
  amqpUrl: string;
  db: OwnDb;
  broker: OwnBroker | undefined;
  /** Environment of every service (and the CLI). */
  env: Record<string, string>;
  /** The running copies, current ones only (a restarted copy replaces the killed one). */
  running: Running[];
  /** Every process the case started, killed ones included: their output is counted at the end. */
  all: Running[];
  start(name: ServiceName, extraEnv?: Record<string, string>): Running;
  /** A new copy in place of `old` (which must have exited), as a supervisor would. */
  restart(old: Running, extraEnv?: Record<string, string>): Promise<Running>;
  store(): Promise<DocStore>;
  launch(): Promise<void>;
  /** Waits for the group to complete (or to stop as Incomplete), then makes the final checks. */
  settle(fault: string, faultsInjected: number, extra?: Record<string, unknown>): Promise<Settled>;
  close(): Promise<void>;
}

/**
 * Waits for a line containing `text` in `r`'s output after character `from` (the trigger of a
 * fault: "the scanner is in the middle of a task"). Returns where the line ends.
 */
export function lineAfter(r: Running, text: string, from = 0, ms = 120_000): Promise<number> {
  return waitFor(`${r.name} to log "${text}"`, () => {
    const i = r.output().indexOf(text, from);
    return i < 0 ? undefined : r.output().indexOf("\n", i) + 1 || r.output().length;
  }, { every: 25, ms, processes: [r] });
}

/** A fault's own duration (a process left dead, a server away): the fault itself, never an assertion. */
export function hold(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Counts, over every process of the case, the lines matching `text` in their output. */
export function countLines(runs: Running[], text: string): number {
  return runs.reduce((n, r) => n + r.output().split("\n").filter((l) => l.includes(text)).length, 0);
}

/** Starts a case's stack: data for its projects, its own database, its broker (own node or exchange), the five services. */
export async function startFaultStack(options: StackOptions): Promise<FaultStack> {
  const t0 = Date.now();
  const projects = options.projects ?? FAULT_PROJECTS;
  const home = mkdtempSync(join(tmpdir(), `drover-fault-${options.label}-`));
  const data = join(home, "data");
  const iso = isolate(`fault-${options.label}`);
  const db = await ownDatabase(join(home, "couch"));
  let broker: OwnBroker | undefined;
  const running: Running[] = [];
  const all: Running[] = [];
  // A stack that fails to start leaves nothing running behind it.
  const abandon = async (e: unknown): Promise<never> => {
    await Promise.all(running.map((r) => r.stop()));
    await broker?.stop().catch(() => undefined);
    await db.stop().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    throw e;
  };
  await db.start().catch(abandon);
  if (options.ownBroker) {
    broker = await ownBroker(join(home, "rabbit"));
    await broker.start().catch(abandon);
  }
  const amqpUrl = broker?.url ?? AMQP_URL;
  const env: Record<string, string> = {
    AMQP_URL: amqpUrl,
    AMQP_EXCHANGE: iso.exchange,
    COUCHDB_URL: db.url,
    COUCHDB_DB: iso.db,
    DROVER_HOME: home,
    DROVER_DATA_ROOTS: data,
    ...options.env,
  };
  const group = options.label;
  const lines = ["project_code,pattern"];
  for (let i = 0; i < projects; i++) {
    const code = `p${String(i).padStart(3, "0")}`;
    await writeSeries(join(data, code), code, tinySeries(), i + 1).catch(abandon);
    lines.push(`${code},${join(data, code, "*.nc")}`);
  }
  const csv = join(home, `${group}.csv`);
  writeFileSync(csv, `${lines.join("\n")}\n`);

  const start = (name: ServiceName, extraEnv: Record<string, string> = {}) => {
    const r = startService(name, { ...env, ...extraEnv });
    running.push(r);
    all.push(r);
    return r;
  };
  for (const name of serviceNames) for (let i = 0; i < (options.copies?.[name] ?? 1); i++) start(name);
  await Promise.all(running.map((r) => r.ready())).catch(abandon);

  const setupSeconds = Math.round((Date.now() - t0) / 1000);
  let store: DocStore | undefined;
  const openStore = async () => (store ??= await openCouchStore(db.url, iso.db));

  return {
    label: options.label,
    group,
    home,
    data,
    exchange: iso.exchange,
    dbName: iso.db,
    amqpUrl,
    db,
    broker,
    env,
    running,
    all,
    start,
    async restart(old, extraEnv) {
      if (old.alive()) throw new Error(`${old.name} (pid ${old.proc.pid}) is still running: kill it before starting another`);
      const i = running.indexOf(old);
      if (i >= 0) running.splice(i, 1);
      const r = start(old.name as ServiceName, extraEnv);
      await r.ready();
      return r;
    },
    store: async () => {
      // A database restarted under the case: a fresh client.
      store = undefined;
      return openStore();
    },
    async launch() {
      const launched = await runCli(["launch", csv, "--group", group], env);
      if (launched.code !== 0) throw new Error(`drover launch failed (${launched.code}): ${launched.stderr}`);
    },
    async settle(fault, faultsInjected, extra = {}) {
      const s = await openStore();
      const g = await waitFor(`group ${group} to complete`, async () => {
        const d = await readGroup(s, `group:${group}`).catch(() => undefined);
        return d && (d.state === "Completed" || d.state === "Incomplete") ? d : undefined;
      }, { every: 1000, processes: running });
      // Nothing left in any queue of the case's topology: requests, retries, parked messages.
      const queued = await waitFor("every queue of the case to be empty", async () => {
        const q = await queueDepths(amqpUrl, iso.exchange);
        return Object.values(q).every((n) => n === 0) ? q : undefined;
      }, { ms: 60_000, every: 1000 }).catch(async () => queueDepths(amqpUrl, iso.exchange));
      const list = await listProjects(s, group);
      const dir = join(home, "complete", group, "data");
      const products = new Map<string, string[]>();
      for (const f of existsSync(dir) ? readdirSync(dir) : []) {
        const code = f.split(".")[0] ?? f;
        products.set(code, [...(products.get(code) ?? []), f]);
      }
      const atRest = (p: ProjectDoc) => p.state === "Completed" || p.state.endsWith("Failed") || p.state === "Faultlisted";
      const failed = list.filter((p) => p.state.endsWith("Failed"));
      const stuckProjects = list.filter((p) => !atRest(p)).map((p) => `${p.code}: ${p.state} ${p.lastError?.message ?? ""}`);
      const codes = Array.from({ length: projects }, (_, i) => `p${String(i).padStart(3, "0")}`);
      const byCode = new Map(list.map((p) => [p.code, p]));
      const lost = codes.filter((c) => {
        const p = byCode.get(c);
        const named = p !== undefined && p.state.endsWith("Failed") && (p.lastError?.message ?? "") !== "";
        return (products.get(c) ?? []).length === 0 && !named;
      }).length;
      const duplicated =
        [...products.values()].reduce((n, fs) => n + Math.max(0, fs.length - 1), 0) +
        [...products.keys()].filter((c) => !codes.includes(c)).length +
        list.filter((p) => p.history.filter((h) => h.to === "Completed").length > 1).length;
      const deadLetters = await listDeadLetters(s);
      const row: FaultRow = {
        fault,
        faultsInjected,
        projects,
        lost,
        stuck: stuckProjects.length + (projects - list.length > 0 ? projects - list.length : 0),
        duplicated,
        failed: failed.length,
        deadLetters: deadLetters.length,
        retries: countLines(all, RETRY_LINE),
        wallSeconds: Math.round((Date.now() - t0) / 1000),
        setupSeconds,
        at: new Date().toISOString(),
        ...extra,
      };
      return { row, group: g, projects: list, deadLetters, products, queued, dead: running.filter((r) => !r.alive()).map((r) => `${r.name} (pid ${r.proc.pid})`), stuckProjects };
    },
    async close() {
      const c0 = Date.now();
      if (process.env["DROVER_TEST_LOGS"]) for (const r of all) console.log(`--- ${r.name} (pid ${r.proc.pid})\n${r.output()}`);
      // A process left frozen (SIGSTOP) cannot stop: wake it first.
      for (const r of running) if (r.alive()) r.proc.kill("SIGCONT");
      await Promise.all(running.map((r) => r.stop()));
      if (!broker) await iso.cleanup().catch(() => undefined);
      else await broker.stop().catch(() => undefined);
      await db.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
      const took = Date.now() - c0;
      if (took > 15_000) console.warn(`fault case ${options.label}: stopping its stack took ${Math.round(took / 1000)} s`);
    },
  };
}

/** Every queue drover declares on `exchange` (consumer queues, their retry queues, the dead letters), with the messages ready in it. */
export async function queueDepths(amqpUrl: string, exchange: string): Promise<Record<string, number>> {
  const conn = await amqp.connect(amqpUrl, { timeout: 10_000 });
  const out: Record<string, number> = {};
  try {
    const names = [deadLetterQueue(exchange)];
    for (const [svc, sels] of Object.entries(consumes)) for (const s of sels) names.push(queueName(exchange, svc, s), retryQueueName(queueName(exchange, svc, s)));
    for (const q of names) {
      const ch = await conn.createChannel();
      try {
        out[q.slice(exchange.length + 1)] = (await ch.checkQueue(q)).messageCount;
      } catch {
        out[q.slice(exchange.length + 1)] = -1; // not declared: a service never connected
      } finally {
        await ch.close().catch(() => undefined);
      }
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
  return out;
}

/** Adds (or replaces, by its fault's name) a case's row in var/faults-summary.json. */
export function recordRow(row: FaultRow): void {
  mkdirSync(join(ROOT, "var"), { recursive: true });
  let rows: FaultRow[] = [];
  try {
    const parsed = JSON.parse(readFileSync(SUMMARY_FILE, "utf8")) as { rows?: FaultRow[] };
    rows = Array.isArray(parsed.rows) ? parsed.rows : [];
  } catch {
    // first row, or an unreadable file: start it again
  }
  rows = [...rows.filter((r) => r.fault !== row.fault), row];
  writeFileSync(SUMMARY_FILE, `${JSON.stringify({ updated: new Date().toISOString(), rows }, null, 2)}\n`);
}

/** The assertions every case shares; the row is recorded first, so a failing case shows in the table too. */
export function expectClean(s: Settled, options: { deadLetters?: number } = {}): void {
  recordRow(s.row);
  expect(s.stuckProjects, "projects not at rest").toEqual([]);
  expect(s.row.lost, "projects lost").toBe(0);
  expect(s.row.duplicated, "products duplicated").toBe(0);
  expect(s.row.failed, "projects failed").toBe(0);
  expect(s.group.state, "the group's state").toBe("Completed");
  expect(s.projects.length, "projects in the group").toBe(s.row.projects);
  for (const p of s.projects) expect(p.history.filter((h) => h.to === "Completed").length, `${p.code} completed once`).toBe(1);
  expect([...s.products.values()].flat().length, "products published").toBe(s.row.projects);
  expect(Object.entries(s.queued).filter(([, n]) => n !== 0), "messages left in queues").toEqual([]);
  expect(s.dead, "services that died").toEqual([]);
  if (options.deadLetters !== undefined) expect(s.deadLetters.length, "parked messages kept").toBe(options.deadLetters);
}

/** Skips a case without the broker and database (a failure under CI, as servicesAvailable says). */
export async function faultsAvailable(needOwnBroker = false): Promise<boolean> {
  if (!(await servicesAvailable())) return false;
  if (needOwnBroker && !canRunOwnBroker()) {
    const msg = `this fault case runs a RabbitMQ node of its own and needs Debian's rabbitmq-server (${RABBIT_BIN})`;
    if (process.env["CI"] === "true") throw new Error(msg);
    console.warn(`SKIPPED: ${msg}`);
    return false;
  }
  return true;
}

export { deleteTopology };
