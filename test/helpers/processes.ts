import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Signal, timeLeft, waitFor, within } from "./wait.js";

// Starts drover's real service processes (compiled JavaScript) for end-to-end tests.

export const ROOT = join(import.meta.dirname, "..", "..");

export interface Running {
  name: string;
  proc: ChildProcess;
  /** Resolves when the process has exited (or could not be started). */
  exited: Promise<void>;
  output(): string;
  alive(): boolean;
  /** Resolves once the service says it consumes its queues; fails if it exits first. */
  ready(): Promise<void>;
  /**
   * SIGTERM, then SIGKILL when it is still running after `graceMs` (a loaded machine may need
   * a while for a clean stop). Resolves once it exited, or after a last bounded wait: an afterAll
   * that stops services never hangs.
   */
  stop(graceMs?: number): Promise<void>;
}

export function serviceEntry(name: string): string {
  const p = join(ROOT, "services", name, "dist", "main.js");
  if (!existsSync(p)) throw new Error(`${p} is missing: build first ('npm run build'; 'npm test' does it)`);
  return p;
}

export function startService(name: string, env: Record<string, string>): Running {
  const proc = spawn(process.execPath, [serviceEntry(name)], {
    cwd: ROOT,
    env: { ...process.env, DROVER_LOG_FORMAT: "json", DROVER_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const wrote = new Signal();
  const collect = (d: Buffer) => {
    out += d.toString();
    wrote.notify();
  };
  proc.stdout?.on("data", collect);
  proc.stderr?.on("data", collect);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    proc.once("exit", () => resolve());
    proc.once("error", (e) => {
      out += `\ncould not run ${name}: ${e.message}\n`;
      resolve();
    });
  }).then(() => {
    done = true;
  });
  const running: Running = {
    name,
    proc,
    exited,
    output: () => out,
    alive: () => !done,
    async ready() {
      // The last line a service logs at start: "listening on <selector>", the tracker's "state-tracker ready: …", the dashboard's "dashboard ready on http://…".
      await waitFor(`${name} to start`, () => (/"msg":"(listening on |state-tracker ready|shepherd ready|dashboard ready)/.test(out) ? true : undefined), { signal: wrote, processes: [running] });
    },
    async stop(graceMs = 10_000) {
      if (done) return;
      proc.kill("SIGTERM");
      if (await within(exited, graceMs)) return;
      proc.kill("SIGKILL");
      if (!(await within(exited, 10_000))) console.warn(`${name} (pid ${proc.pid}) has not exited 10 s after SIGKILL`);
    },
  };
  return running;
}

/** Runs the drover CLI to completion; kills it (code -1) if it is still running near the test's time limit. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [serviceEntry("cli"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const limit = timeLeft();
    const timer = setTimeout(() => {
      stderr += `\n[test] drover ${args.join(" ")} was still running after ${Math.round(limit / 1000)} s: killed\n`;
      proc.kill("SIGKILL");
    }, limit);
    // "close", not "exit": all of its output has been read by then.
    proc.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
