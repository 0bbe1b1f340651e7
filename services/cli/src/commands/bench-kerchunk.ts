import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { median, spawnTimed, type OneShotRun } from "./bench-oneshot.js";

// Python's kerchunk timed side by side with `drover refs --no-validate`, on the same files and
// machine, whole process from the shell (scripts/bench/kerchunk_refs.py), when an interpreter
// that imports kerchunk is at hand. Machines of one kind differ by 2-3x from day to day, so a
// ratio means something only against a run on the same machine.

const script = fileURLToPath(new URL("../../../../scripts/bench/kerchunk_refs.py", import.meta.url));

/** What the driver script prints when it is done. */
const DriverReport = z.object({ version: z.string(), peakRssKb: z.number() });

export interface KerchunkRun extends OneShotRun {
  version: string;
  python: string;
}

/** kerchunk's version as `python` imports it, or why it cannot be used. */
export async function kerchunkAt(python: string): Promise<{ version: string } | { missing: string }> {
  if (!existsSync(script)) return { missing: `${script} is not there (run the bench from a checkout of drover)` };
  try {
    const { stdout } = await spawnTimed(python, ["-c", "import h5py, kerchunk.hdf, kerchunk.combine; print(kerchunk.__version__)"]);
    return { version: stdout.trim() };
  } catch (e) {
    return { missing: `${python} cannot import kerchunk and h5py (${(e as Error).message.split(" | ").at(-1) ?? ""})` };
  }
}

/** kerchunk's references for `files`, `rounds` times after one warm-up, as `timeOneShot` times drover. */
export async function timeKerchunk(python: string, files: string[], rounds: number): Promise<KerchunkRun> {
  const dir = mkdtempSync(join(tmpdir(), "drover-bench-kerchunk-"));
  try {
    const out = join(dir, "out.json");
    const run = async () => {
      const { seconds, stdout } = await spawnTimed(python, [script, out, ...files]);
      const report = DriverReport.parse(JSON.parse(stdout.trim().split("\n").at(-1) ?? "null"));
      if (statSync(out).size === 0) throw new Error(`kerchunk wrote an empty ${out}`);
      return { seconds, report };
    };
    await run();
    const times: number[] = [];
    let peakKb = 0;
    let version = "";
    for (let r = 0; r < rounds; r++) {
      const { seconds, report } = await run();
      times.push(seconds);
      peakKb = Math.max(peakKb, report.peakRssKb);
      version = report.version;
    }
    return { seconds: +median(times).toFixed(3), rounds: times.map((t) => +t.toFixed(3)), peakRssMb: +(peakKb / 1024).toFixed(1), version, python };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
