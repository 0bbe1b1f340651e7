import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Whole-process timings of `drover refs` as a user runs it from the shell: a fresh Node process
// per round (start-up, module loading, scan, references, validation, writing), its wall time and
// its peak resident memory.

const main = fileURLToPath(new URL("../main.js", import.meta.url));
const rssHook = fileURLToPath(new URL("../rss-report.js", import.meta.url));

export interface OneShotRun {
  /** Median wall time of the rounds, in seconds. */
  seconds: number;
  /** Every round's wall time, in seconds. */
  rounds: number[];
  /** Largest peak resident memory of the rounds, in MB. */
  peakRssMb: number;
}

/** Runs a command to its end; its wall time in seconds and what it printed on stdout. */
export function spawnTimed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ seconds, stdout: out });
      else reject(new Error(`${command} ${args.slice(0, 2).join(" ")} … exited with ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

async function once(args: string[], rssFile: string): Promise<number> {
  return (await spawnTimed(process.execPath, ["--import", rssHook, main, ...args], { ...process.env, DROVER_RSS_FILE: rssFile })).seconds;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs `drover refs <files> -o out.json [extra…]` `rounds` times (after one warm-up for the page cache). */
export async function timeOneShot(files: string[], extra: string[], rounds: number): Promise<OneShotRun> {
  const dir = mkdtempSync(join(tmpdir(), "drover-bench-"));
  try {
    const out = join(dir, "out.json");
    const rss = join(dir, "rss");
    const args = ["refs", ...files, "-o", out, "--quiet", ...extra];
    await once(args, rss);
    const times: number[] = [];
    let peak = 0;
    for (let r = 0; r < rounds; r++) {
      times.push(await once(args, rss));
      peak = Math.max(peak, Number(readFileSync(rss, "utf8")) / 1024);
      if (statSync(out).size === 0) throw new Error(`drover refs wrote an empty ${out}`);
    }
    return { seconds: +median(times).toFixed(3), rounds: times.map((t) => +t.toFixed(3)), peakRssMb: +peak.toFixed(1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
