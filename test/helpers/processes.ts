import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

// Starts drover's real service processes (compiled JavaScript) for end-to-end tests.

export const ROOT = join(import.meta.dirname, "..", "..");

export interface Running {
  name: string;
  proc: ChildProcess;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
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
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  let exited = false;
  proc.on("exit", () => (exited = true));
  return {
    name,
    proc,
    output: () => out,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => proc.once("exit", () => r()));
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await done;
      clearTimeout(t);
    },
  };
}

/** Runs the drover CLI to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [serviceEntry("cli"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
