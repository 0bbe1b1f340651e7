import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/processes.js";
import { AMQP_URL, isolate, servicesAvailable } from "../helpers/services.js";
import { timeLeft, waitFor } from "../helpers/wait.js";

// `npm run terminals` without a terminal (CI, a script): a tmux session of six readable panes,
// the sample + launch command typed once in the sixth, and the pouchdb-server the script started
// stopped when the session is killed. It runs under a tmux server of its own (TMUX_TMPDIR), its
// own DROVER_HOME, CouchDB port and exchange: no user's session and no shared server is touched.

function tmuxAvailable(): boolean {
  if (spawnSync("tmux", ["-V"]).status === 0) return true;
  if (process.env["CI"] === "true") throw new Error("tmux is missing: install it ('apt-get install tmux'; .ci/run does)");
  console.warn("SKIPPED: the terminals test needs tmux ('apt-get install tmux')");
  return false;
}

const available = tmuxAvailable() && (await servicesAvailable());

function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!available)("npm run terminals without a terminal", () => {
  const iso = isolate("terminals");
  const home = mkdtempSync(join(tmpdir(), "drover-terminals-"));
  const tmuxDir = mkdtempSync(join(tmpdir(), "drover-tmux-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Our own tmux server, and the stack our own: nothing inherited may point elsewhere.
  for (const k of ["TMUX", "TMUX_PANE", "COUCHDB_URL", "DROVER_DATA_ROOTS", "DROVER_WORK_DIR", "DROVER_COMPLETE_DIR"]) delete env[k];
  Object.assign(env, { TMUX_TMPDIR: tmuxDir, SHELL: "/bin/bash", DROVER_HOME: home, AMQP_URL, AMQP_EXCHANGE: iso.exchange, COUCHDB_DB: iso.db });
  const tmux = (...args: string[]) => spawnSync("tmux", args, { env, encoding: "utf8", timeout: 30_000 });
  let pouchPid = 0;

  beforeAll(async () => {
    env["DROVER_COUCH_PORT"] = String(await sparePort());
  });

  afterAll(async () => {
    tmux("kill-server");
    if (pouchPid && isRunning(pouchPid)) process.kill(pouchPid, "SIGKILL");
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
    rmSync(tmuxDir, { recursive: true, force: true });
  });

  const panes = () =>
    tmux("list-panes", "-t", "=drover:", "-F", "#{pane_id} #{pane_width} #{pane_height} #{pane_start_command}")
      .stdout.trim()
      .split("\n")
      .map((line) => {
        const [id = "", width = "0", height = "0", ...command] = line.split(" ");
        return { id, width: Number(width), height: Number(height), command: command.join(" ") };
      });

  // In a test, not in beforeAll: on a fresh machine the script may first install pouchdb-server.
  it("starts the session and its own CouchDB server, then returns", async () => {
    const script = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const proc = spawn("bash", [join(ROOT, "scripts", "terminals.sh")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
      proc.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeLeft());
      // "exit", not "close": what the script leaves running must not hold us up.
      proc.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
    const pidFile = join(home, "run", "pouchdb.pid");
    if (existsSync(pidFile)) pouchPid = Number(readFileSync(pidFile, "utf8"));
    expect(script.code, script.output).toBe(0);
    expect(script.output).toContain("tmux session 'drover' started");
    expect(pouchPid, "pid of the pouchdb-server it started").toBeGreaterThan(0);
    expect(isRunning(pouchPid)).toBe(true);
  });

  it("makes six panes of a readable size: one per service, one for commands", () => {
    const list = panes();
    expect(list.map((p) => p.command.replaceAll('"', ""))).toEqual([
      "npm run --silent state-tracker",
      "npm run --silent scanner",
      "npm run --silent computer",
      "npm run --silent validator",
      "npm run --silent completion",
      "",
    ]);
    for (const p of list) {
      expect(p.width, `width of pane ${p.id}`).toBeGreaterThanOrEqual(80);
      expect(p.height, `height of pane ${p.id}`).toBeGreaterThanOrEqual(12);
    }
  });

  it("types the sample + launch command once in the sixth pane, after the shell's prompt", async () => {
    const sixth = panes()[5]?.id ?? "";
    const command = /npm run --silent drover -- sample \S+ && npm run --silent launch -- \S+\/demo\/demo\.csv --wait/g;
    // The command drawn by the shell after its prompt (not at the start of a line, where the
    // terminal's own echo of keys typed too early puts it).
    const screen = await waitFor("the command after the prompt in the sixth pane", () => {
      const text = tmux("capture-pane", "-p", "-J", "-t", sixth).stdout;
      return /\S\s*npm run --silent drover -- sample [^\n]*--wait/.test(text) ? text : undefined;
    });
    expect(screen.match(command), screen).toHaveLength(1);
    expect(screen).toContain(join(home, "data", "demo", "demo.csv"));
  });

  it("stops the pouchdb-server it started when the session is killed", async () => {
    expect(tmux("kill-session", "-t", "=drover").status).toBe(0);
    // The script's watcher notices within a second or so; two minutes leave room for a busy machine.
    await waitFor(`pouchdb-server (pid ${pouchPid}) to stop`, () => (isRunning(pouchPid) ? undefined : true), { ms: 120_000 });
    expect(existsSync(join(home, "run", "pouchdb.pid"))).toBe(false);
  });
});
