import { existsSync } from "node:fs";
import { historyLines, mergeByTime, onlyPhase, phases, projectLogDir, readLogFiles, withFullHistory, type Phase } from "@drover/shared";
import { str, UsageError, type Command } from "../command.js";
import { projectOf } from "../target.js";
import { didYouMean } from "../suggest.js";
import { formatLogLine } from "../views/log-lines.js";

// `drover logs <group>/<project>`: the project's own log files (one per phase, written by the
// workers into its work directory) and the state-tracker's history, merged by time.

function wantedPhase(v: string | undefined): Phase | undefined {
  if (v === undefined) return undefined;
  if ((phases as readonly string[]).includes(v)) return v as Phase;
  throw new UsageError(`--phase takes one of ${phases.join(", ")}, not ${JSON.stringify(v)}${didYouMean(v, phases)}`);
}

/** `drover logs <group>/<project> [--phase p]`. */
export const logs: Command = {
  name: "logs",
  args: "<group>/<project>",
  minArgs: 1,
  summary:
    "A project's log lines from every service, in time order: what the scanner, computer and validator logged while working on it (kept in its work directory, logs/<phase>.log) and the state-tracker's changes of its state.",
  options: {
    phase: { type: "string", value: "PHASE", help: `only the lines of one phase: ${phases.join(", ")}` },
  },
  examples: ["drover logs demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn", "drover logs demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn --phase validate"],
  async run(ctx, { values, positionals }) {
    const phase = wantedPhase(str(values, "phase"));
    const p = await withFullHistory(await ctx.store(), await projectOf(ctx, this, positionals));
    const dir = projectLogDir(p.outputs.workDir);
    const lines = onlyPhase(mergeByTime(...readLogFiles(dir), historyLines(p.history)), phase);
    for (const l of lines) process.stdout.write(`${formatLogLine(l)}\n`);
    if (!existsSync(dir)) process.stderr.write(`drover: no worker has logged for ${p.group}/${p.code} yet (${dir} does not exist); only the state-tracker's changes are shown\n`);
    return 0;
  },
};
