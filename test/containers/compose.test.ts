import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { compareZarrWithSources } from "../helpers/compare.js";
import { pythonHasXarray, xarrayCompareAsync } from "../helpers/python.js";
import { timeLeft } from "../helpers/wait.js";

// The compose deployment end to end (issue 12), driven by scripts/test-compose.sh, which builds the
// images, brings docker-compose.yml up with two replicas of each worker, runs this file, and takes
// the stack down. Here: the demo group goes through the containers, every project completes
// exactly once, and each product opens: read with drover's own reader and with xarray, value by
// value against its sources, copied out of the stack's volumes.

const ComposeEnvSchema = z.object({
  DROVER_COMPOSE_PROJECT: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "a compose project name: a-z 0-9 _ -"),
  DROVER_COMPOSE_ENV_FILE: z.string().min(1),
  DROVER_COMPOSE_FILE: z.string().min(1),
  /** "docker compose" (v2) or "docker-compose" (v1.29). */
  DROVER_COMPOSE_CMD: z.enum(["docker compose", "docker-compose"]),
  DROVER_COMPOSE_REPLICAS: z.coerce.number().int().min(1).default(2),
});

const raw = { ...process.env };
const wanted = raw["DROVER_COMPOSE_PROJECT"] !== undefined;
if (!wanted) console.warn("SKIPPED: the compose test runs inside 'npm run test:compose' (scripts/test-compose.sh), which brings the stack up");
const parsedEnv = wanted ? ComposeEnvSchema.safeParse(raw) : undefined;
if (parsedEnv && !parsedEnv.success) {
  throw new Error(
    `test/containers/compose.test.ts: bad environment from scripts/test-compose.sh: ${parsedEnv.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join("; ")}`,
  );
}
const env = parsedEnv?.data;

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = execFile(cmd, args, { maxBuffer: 64 << 20, timeout: Math.max(1000, timeLeft()) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) p.stdin?.end(input);
  });
}

function compose(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const e = env!;
  const [cmd, ...pre] = e.DROVER_COMPOSE_CMD.split(" ") as [string, ...string[]];
  return run(cmd, [...pre, "-p", e.DROVER_COMPOSE_PROJECT, "--env-file", e.DROVER_COMPOSE_ENV_FILE, "-f", e.DROVER_COMPOSE_FILE, ...args]);
}

/** A command of the launcher in a one-off cli container; fails the test with its output when it fails. */
async function cli(...args: string[]): Promise<string> {
  const r = await compose(["--profile", "tools", "run", "--rm", "-T", "cli", ...args]);
  if (r.code !== 0) throw new Error(`drover ${args.join(" ")} in the cli container exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

const HistoryEntry = z.object({ to: z.string().optional(), state: z.string().optional() }).passthrough();
const ProjectJson = z.object({ state: z.string(), history: z.array(HistoryEntry).default([]) }).passthrough();

describe.skipIf(!wanted)("the compose stack runs the demo group", () => {
  const group = `compose-${Date.now().toString(36)}`;
  const out = mkdtempSync(join(tmpdir(), "drover-compose-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(`runs ${env?.DROVER_COMPOSE_REPLICAS ?? 2} healthy copies of each worker`, async () => {
    for (const service of ["scanner", "computer", "validator", "completion"]) {
      const ids = (await compose(["ps", "-q", service])).stdout.split("\n").filter(Boolean);
      expect(ids, `${service} containers`).toHaveLength(env!.DROVER_COMPOSE_REPLICAS);
      const health = await run("docker", ["inspect", "-f", "{{.State.Health.Status}}", ...ids]);
      expect(health.stdout.trim().split("\n"), `${service} health`).toEqual(ids.map(() => "healthy"));
    }
  });

  it("completes every project of the demo group exactly once", async () => {
    await cli("sample", "/data");
    await cli("launch", "/data/demo/demo.csv", "--group", group, "--wait", "--timeout", "300");
    const status = JSON.parse(await cli("status", group, "--json")) as unknown;
    const text = JSON.stringify(status);
    expect(text).toContain("Completed");
    const csv = readFileSync(join(import.meta.dirname, "..", "..", "shared", "src", "sample", "demo-group.ts"), "utf8");
    const codes = [...csv.matchAll(/"([a-z]+_[A-Za-z]+_DROVER-DEMO_historical_r1i1p1f1_gn)"/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(3);
    for (const code of codes) {
      const doc = ProjectJson.parse(JSON.parse(await cli("show", `${group}/${code}`, "--json")));
      expect(doc.state, code).toBe("Completed");
      const completions = doc.history.filter((h) => (h.to ?? h.state) === "Completed");
      expect(completions, `${code}: transitions to Completed in its history`).toHaveLength(1);
    }
    // The products, copied out of the complete volume (through a completion container's mount).
    const [holder] = (await compose(["ps", "-q", "completion"])).stdout.split("\n").filter(Boolean);
    expect(holder).toBeDefined();
    // docker cp copies a directory's content to a destination that does not exist yet.
    mkdirSync(join(out, "data"));
    for (const [from, to] of [[`/complete/${group}`, join(out, "complete")], ["/data/demo", join(out, "data", "demo")]] as const) {
      const r = await run("docker", ["cp", `${holder}:${from}`, to]);
      expect(r.code, `docker cp ${from}: ${r.stderr}`).toBe(0);
    }
    const products = readdirSync(join(out, "complete", "data")).sort();
    expect(products).toHaveLength(codes.length);
    for (const code of codes) expect(products.filter((p) => p.startsWith(`${code}.`)), `${code}: one product`).toHaveLength(1);
  });

  it("publishes products that open and match their sources, read by drover's reader and by xarray", async () => {
    const dataDir = join(out, "complete", "data");
    const products = readdirSync(dataDir).filter((p) => p.endsWith(".json"));
    expect(products.length).toBeGreaterThan(0);
    const withPython = pythonHasXarray();
    for (const p of products) {
      // The references name the files as the containers see them (/data/…): point them at the copies.
      const text = readFileSync(join(dataDir, p), "utf8").replaceAll('"file:///data/', `"file://${out}/data/`).replaceAll('"/data/', `"${out}/data/`);
      const local = join(out, `local-${p}`);
      writeFileSync(local, text);
      const doc = JSON.parse(text) as { refs: Record<string, unknown> };
      const files = [
        ...new Set(Object.values(doc.refs).flatMap((r) => (Array.isArray(r) && typeof r[0] === "string" ? [String(r[0]).replace(/^file:\/\//, "")] : []))),
      ].sort();
      expect(files.length, `${p}: source files referenced`).toBeGreaterThan(0);
      for (const f of files) expect(f.startsWith(`${out}/data/`), `${p}: ${f} under /data`).toBe(true);
      const own = await compareZarrWithSources(local, files, "time");
      expect(own.values, `${p}: values compared by drover's reader`).toBeGreaterThan(0);
      if (withPython) {
        const py = await xarrayCompareAsync(local, "time", files);
        expect(py.problems, `${p}: xarray`).toEqual([]);
        expect(py.variables).toBeGreaterThan(0);
      }
    }
  });
});
