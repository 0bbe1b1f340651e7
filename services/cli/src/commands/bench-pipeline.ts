import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import Nano from "nano";
import {
  connectBus,
  deleteTopology,
  silentLogger,
  writeSeries,
  type Message,
  type ProjectDoc,
} from "@drover/shared";
import { pipelineProjectSpec } from "@drover/shared/sample/bench-series";
import type { Context } from "../context.js";

// `npm run bench -- --pipeline N`: N tiny one-file projects through all four phases with one
// copy of each service, on its own exchange and database. Every request a service sends to the
// database goes through a counting proxy here, so the requests per project are counted where
// they happen, whoever sends them.

export interface PhaseLatency {
  /** Seconds from entering the phase's active state to leaving it (history timestamps). */
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export interface PipelineFigures {
  projects: number;
  /** Copies of each worker (scanner, computer, validator). */
  copies: number;
  /** The group's last state: Completed, or Incomplete when something failed. */
  groupState: string;
  /** Why, when Incomplete (the first few reasons). */
  reasons: string[];
  wallSeconds: number;
  projectsPerSecond: number;
  /** scan, compute, validate, complete: time in the phase; total: Registered → Completed. */
  latency: Record<"scan" | "compute" | "validate" | "complete" | "total", PhaseLatency>;
  /** Database requests by kind, per project (read, write, bulk, view, list, other, conflicts). */
  dbRequestsPerProject: Record<string, number>;
  dbRequestsTotal: number;
  /** Bytes on disk per project (the database's file size over N). */
  dbBytesPerProject: number;
  /** Peak resident memory of each service, in MB (VmHWM). */
  peakRssMb: Record<string, number>;
  /** CPU time each service used, in seconds (user + system): which one is the bottleneck. */
  cpuSeconds: Record<string, number>;
}

const SERVICES = ["state-tracker", "scanner", "computer", "validator", "completion"] as const;
/** No state change for this long means the pipeline stalled. */
const STALL_MS = 180_000;


const code = (i: number) => `p${String(i).padStart(6, "0")}`;

/** The N projects' files: one tiny netCDF4 file each, written once into `cacheDir` and reused. */
async function projectFiles(cacheDir: string, projects: number, say: (s: string) => void): Promise<string[]> {
  const index = join(cacheDir, "files.json");
  let files: string[] = existsSync(index) ? (JSON.parse(readFileSync(index, "utf8")) as string[]) : [];
  files = files.filter((f) => existsSync(f));
  if (files.length >= projects) return files.slice(0, projects);
  say(`writing ${projects - files.length} one-file projects into ${cacheDir} (once)…`);
  for (let i = files.length; i < projects; i++) {
    const [file] = await writeSeries(join(cacheDir, code(i)), code(i), pipelineProjectSpec, i + 1);
    if (!file) throw new Error(`writeSeries wrote no file for ${code(i)}`);
    files.push(file);
  }
  writeFileSync(index, JSON.stringify(files));
  return files;
}

// ---------------------------------------------------------------------------------------------
// A counting proxy in front of the database.

interface CountingProxy {
  url: string;
  counts: Record<string, number>;
  close(): Promise<void>;
}

/** What kind of request this is, for the database `db`; undefined for other databases. */
export function requestKind(method: string, path: string, db: string): string | undefined {
  const parts = path.split("?")[0]?.split("/").filter(Boolean).map(decodeURIComponent) ?? [];
  if (parts[0] !== db) return undefined;
  const rest = parts.slice(1);
  // nano writes a document as POST /db with its _id in the body.
  if (rest.length === 0) return method === "POST" ? "write" : "other";
  if (rest[0] === "_bulk_docs") return "bulk";
  if (rest[0] === "_all_docs") return "list";
  if (rest[0] === "_design" && rest[2] === "_view") return "view";
  if (rest[0]?.startsWith("_") && rest[0] !== "_design") return "other";
  if (method === "GET" || method === "HEAD") return "read";
  if (method === "PUT" || method === "DELETE" || method === "POST") return "write";
  return "other";
}

async function startCountingProxy(target: string, db: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts: Record<string, number> = {};
  const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const server = http.createServer((req, res) => {
    const kind = requestKind(req.method ?? "GET", req.url ?? "/", db);
    const out = http.request(
      { host: upstream.hostname, port: upstream.port || 80, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (up) => {
        if (kind) {
          bump(kind);
          if (up.statusCode === 409) bump("conflict");
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        // A bulk write answers 201 with a row per document: its conflicts are in the rows.
        if (kind === "bulk") {
          const parts: Buffer[] = [];
          up.on("data", (d: Buffer) => parts.push(d));
          up.on("end", () => {
            try {
              const rows = JSON.parse(Buffer.concat(parts).toString("utf8")) as Array<{ error?: string }>;
              for (const r of rows) if (r.error === "conflict") bump("conflict");
            } catch {
              // not rows (an error answer): nothing to count
            }
          });
        }
      },
    );
    out.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "proxy", reason: e.message }));
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
        agent.destroy();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The services, as child processes.

interface Child {
  name: string;
  proc: ChildProcess;
  /** The last 64 kB it wrote. */
  tail(): string;
  exited: Promise<number | null>;
  alive(): boolean;
}

/**
 * Starts a service; what it prints goes to `<logDir>/<name>.log`, a file, not a pipe to this
 * process: reading five services' lines as they come would cost the measurement itself a few
 * milliseconds of CPU a project, on the same two cores.
 */
function startChild(root: string, service: string, args: string[], env: NodeJS.ProcessEnv, logDir: string, name = service): Child {
  const file = join(logDir, `${name}.log`);
  const fd = openSync(file, "a");
  const proc = spawn(process.execPath, [join(root, "services", service, "dist", "main.js"), ...args], { cwd: root, env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let extra = "";
  let done = false;
  const exited = new Promise<number | null>((ok) => {
    proc.once("exit", (c) => ok(c));
    proc.once("error", (e) => {
      extra += `\ncould not run ${name}: ${e.message}\n`;
      ok(-1);
    });
  }).then((c) => {
    done = true;
    return c;
  });
  return { name, proc, tail: () => lastBytes(file, 65_536) + extra, exited, alive: () => !done };
}

/** The last `n` bytes of a file as text ("" when it is not there). */
function lastBytes(file: string, n: number): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(n, size));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, children: Child[], ms: number, every = 250): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    const dead = children.find((c) => !c.alive());
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.tail().slice(-4000)}`);
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${Math.round(ms / 1000)} s`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function stopChild(c: Child): Promise<void> {
  if (!c.alive()) return;
  c.proc.kill("SIGTERM");
  const t = setTimeout(() => c.proc.kill("SIGKILL"), 15_000);
  await c.exited;
  clearTimeout(t);
}

/** Peak resident set of a running process, in MB (Linux). */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Math.round(Number(m[1]) / 102.4) / 10 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a running process has used so far (Linux, 100 ticks a second). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Math.round((Number(fields[11]) + Number(fields[12])) / 10) / 10;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Figures from the project documents.

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function latency(xs: number[]): PhaseLatency {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: r(percentile(s, 0.5)), p99: r(percentile(s, 0.99)), max: r(s.at(-1) ?? Number.NaN), n: s.length };
}

/** Time in each phase (first entry into its active state → first entry into the next state), from history. */
export function phaseLatencies(projects: Pick<ProjectDoc, "history">[]): PipelineFigures["latency"] {
  const phases = { scan: ["Scanning", "Scanned"], compute: ["Computing", "Computed"], validate: ["Validating", "Validated"], complete: ["Completing", "Completed"], total: ["Registered", "Completed"] } as const;
  const out = {} as PipelineFigures["latency"];
  for (const [phase, [from, to]] of Object.entries(phases) as [keyof typeof phases, readonly [string, string]][]) {
    const xs: number[] = [];
    for (const p of projects) {
      const a = p.history.find((h) => h.to === from);
      const b = p.history.find((h) => h.to === to);
      if (a && b) xs.push((Date.parse(b.at) - Date.parse(a.at)) / 1000);
    }
    out[phase] = latency(xs);
  }
  return out;
}

async function readAllProjects(db: Nano.DocumentScope<ProjectDoc>, group: string): Promise<ProjectDoc[]> {
  const out: ProjectDoc[] = [];
  let startkey = `project:${group}:`;
  for (;;) {
    const r = await db.list({ startkey, endkey: `project:${group}:\ufff0`, include_docs: true, limit: 1001 });
    const rows = r.rows.slice(0, 1000);
    for (const row of rows) if (row.doc) out.push(row.doc as ProjectDoc);
    const next = r.rows[1000];
    if (!next) return out;
    startkey = next.id;
  }
}


// ---------------------------------------------------------------------------------------------

/** Runs N one-file projects through all phases and measures it; leaves nothing behind but the file cache. */
export async function pipelineBench(ctx: Context, projects: number, say: (s: string) => void, copies = 1): Promise<PipelineFigures> {
  if (!Number.isInteger(projects) || projects < 1) throw new Error(`--pipeline needs a whole number of projects, not ${projects}`);
  const root = resolve(import.meta.dirname, "..", "..", "..", "..");
  const benchDir = join(ctx.config.home, "bench", "pipeline");
  const cacheDir = join(benchDir, "files");
  const files = await projectFiles(cacheDir, projects, say);

  const id = randomUUID().slice(0, 8);
  const runDir = join(benchDir, `run-${id}`);
  const group = `bench-${projects}`;
  const exchange = `drover-bench-${id}`;
  const dbName = `drover_bench_${id}`;
  mkdirSync(runDir, { recursive: true });
  const groupFile = join(runDir, `${group}.csv`);
  writeFileSync(groupFile, `project_code,pattern\n${files.map((f, i) => `${code(i)},${f}`).join("\n")}\n`);

  const couch = Nano({ url: ctx.config.couchUrl, headers: { "Accept-Encoding": "identity" } } as Nano.Configuration);
  const proxy = await startCountingProxy(ctx.config.couchUrl, dbName);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AMQP_URL: ctx.config.amqpUrl,
    AMQP_EXCHANGE: exchange,
    COUCHDB_URL: proxy.url,
    COUCHDB_DB: dbName,
    DROVER_HOME: runDir,
    DROVER_DATA_ROOTS: cacheDir,
    DROVER_LOG_FORMAT: "json",
    DROVER_LOG_LEVEL: "info",
  };
  const children: Child[] = [];
  let watcher: Awaited<ReturnType<typeof connectBus>> | undefined;
  try {
    // Workers compete for their queues when there are several copies; one state-tracker and one completion.
    for (const s of SERVICES) {
      const n = s === "state-tracker" || s === "completion" ? 1 : copies;
      for (let k = 1; k <= n; k++) children.push({ ...startChild(root, s, [], env, runDir, k > 1 ? `${s}#${k}` : s) });
    }
    await until("the services to start", () => (children.every((c) => /"msg":"(listening on |state-tracker ready)/.test(c.tail())) ? true : undefined), children, 120_000);

    // Progress: every project state change, heard on the bus.
    let lastChange = Date.now();
    const reached: Record<string, number> = {};
    watcher = await connectBus({ url: ctx.config.amqpUrl, exchange, service: "bench-watcher", logger: silentLogger });
    await watcher.watch("project.state.changed", (m: Message) => {
      lastChange = Date.now();
      const to = (m as Message<"project.state.changed">).body.to;
      reached[to] = (reached[to] ?? 0) + 1;
    });

    say(`launching ${projects} one-file projects (exchange ${exchange}, database ${dbName})…`);
    const t0 = performance.now();
    const launcher = startChild(root, "cli", ["launch", groupFile, "--group", group], env, runDir);
    const exit = await launcher.exited;
    if (exit !== 0) throw new Error(`drover launch exited with ${exit}:\n${launcher.tail().slice(-4000)}`);
    lastChange = Date.now();

    const db = couch.use<ProjectDoc>(dbName);
    let lastSaid = 0;
    const groupState = await until(
      "the group to finish",
      async () => {
        if (Date.now() - lastChange > STALL_MS) throw new Error(`no project changed state for ${STALL_MS / 1000} s: the pipeline stalled (${JSON.stringify(reached)})`);
        if (Date.now() - lastSaid > 10_000) {
          lastSaid = Date.now();
          say(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: validated ${reached["Validated"] ?? 0}, completed ${reached["Completed"] ?? 0} of ${projects}`);
        }
        const g = (await db.get(`group:${group}`).catch(() => undefined)) as unknown as { state?: string; reasons?: string[] } | undefined;
        return g?.state === "Completed" || g?.state === "Incomplete" ? { state: g.state, reasons: (g.reasons ?? []).slice(0, 5) } : undefined;
      },
      children,
      24 * 3600_000,
      500,
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    // The last requests (outboxes cleared after the final publish) land a moment after the group's write.
    await new Promise((r) => setTimeout(r, 1_000));

    const peak = Object.fromEntries(children.map((c) => [c.name, peakRssMb(c.proc.pid)]));
    const cpu = Object.fromEntries(children.map((c) => [c.name, cpuSeconds(c.proc.pid)]));
    const docs = await readAllProjects(db, group);
    const info = (await couch.db.get(dbName)) as unknown as { sizes?: { file?: number }; disk_size?: number };
    const disk = info.sizes?.file ?? info.disk_size ?? Number.NaN;
    const total = Object.entries(proxy.counts).filter(([k]) => k !== "conflict").reduce((a, [, v]) => a + v, 0);
    const perProject = Object.fromEntries(Object.entries(proxy.counts).map(([k, v]) => [k, Math.round((v / projects) * 100) / 100]));
    return {
      projects,
      copies,
      groupState: groupState.state,
      reasons: groupState.state === "Completed" ? [] : groupState.reasons,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      projectsPerSecond: Math.round((projects / wallSeconds) * 100) / 100,
      latency: phaseLatencies(docs),
      dbRequestsPerProject: { ...perProject, total: Math.round((total / projects) * 100) / 100 },
      dbRequestsTotal: total,
      dbBytesPerProject: Math.round(disk / projects),
      peakRssMb: peak,
      cpuSeconds: cpu,
    };
  } finally {
    await watcher?.close().catch(() => undefined);
    await Promise.all(children.map(stopChild));
    await proxy.close();
    await couch.db.destroy(dbName).catch((e: unknown) => say(`could not delete database ${dbName}: ${(e as Error).message}`));
    await deleteTopology(ctx.config.amqpUrl, exchange).catch((e: unknown) => say(`could not delete exchange ${exchange}: ${(e as Error).message}`));
    rmSync(runDir, { recursive: true, force: true });
  }
}
