import { userInfo } from "node:os";
import { listProjects, type AnsweredRequest, type BodyInput, type Phase } from "@drover/shared";
import { askTracker, type Answer } from "../ask.js";
import { seconds, str, UsageError, type Command } from "../command.js";
import type { Context } from "../context.js";
import { needGroup } from "./watch.js";

// Operator commands: each sends its request to the state-tracker, the only writer of state, and
// reports the tracker's answer. A refusal (or no change) exits 1.

const who = () => `${userInfo().username}@cli`;
const answerTimeout = { type: "string", value: "SECONDS", help: "how long to wait for the state-tracker's answer (default 60)" } as const;

function report(group: string, code: string, verb: string, a: Answer): boolean {
  const line = `${verb} ${group}/${code}: ${a.outcome}${a.state ? ` (${a.state})` : ""}: ${a.message}\n`;
  if (a.outcome === "done") process.stdout.write(line);
  else process.stderr.write(`drover: ${line}`);
  return a.outcome === "done";
}

async function ask<S extends AnsweredRequest>(ctx: Context, type: S, group: string, code: string, body: BodyInput<S>, timeout: number, verb: string): Promise<boolean> {
  return report(group, code, verb, await askTracker(ctx, type, { group, project: code }, body, timeout));
}

export const accept: Command = {
  name: "accept",
  args: "<group> <project>",
  minArgs: 2,
  summary: "Accepts a ValidatedWithWarnings project: its warnings are recorded as reviewed and it counts as Validated.",
  options: { note: { type: "string", value: "TEXT", help: "why the warnings are acceptable (kept in the history)" }, timeout: answerTimeout },
  examples: ["drover accept demo tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn --note 'history attribute differs only'"],
  async run(ctx, { values, positionals }) {
    const [group = "", code = ""] = positionals;
    await needGroup(await ctx.store(), group);
    const ok = await ask(ctx, "project.accept.request", group, code, { by: who(), note: str(values, "note") ?? "" }, seconds(values, "timeout", 60), "accept");
    return ok ? 0 : 1;
  },
};

export const retry: Command = {
  name: "retry",
  args: "<group> [project]",
  minArgs: 1,
  summary: "Runs a project's failed (or warned) phase again; without a project, every failed or warned project of the group.",
  options: { phase: { type: "string", value: "scan|compute|validate", help: "the phase to run again (default: the one that failed)" }, timeout: answerTimeout },
  examples: ["drover retry demo", "drover retry demo pr_day_DROVER-DEMO_historical_r1i1p1f1_gn --phase scan"],
  async run(ctx, { values, positionals }) {
    const [group = "", code] = positionals;
    const phase = str(values, "phase") as Phase | undefined;
    if (phase !== undefined && !["scan", "compute", "validate"].includes(phase)) throw new UsageError(`--phase must be scan, compute or validate, not ${phase}`);
    const store = await ctx.store();
    await needGroup(store, group);
    const codes = code ? [code] : (await listProjects(store, group)).filter((p) => p.state.endsWith("Failed") || p.state === "ValidatedWithWarnings").map((p) => p.code);
    if (codes.length === 0) {
      process.stdout.write(`nothing to retry in ${group}: no project has failed or has warnings\n`);
      return 0;
    }
    const timeout = seconds(values, "timeout", 60);
    let refused = 0;
    for (const c of codes) if (!(await ask(ctx, "project.retry.request", group, c, { by: who(), ...(phase ? { phase } : {}) }, timeout, "retry"))) refused++;
    return refused === 0 ? 0 : 1;
  },
};

export const faultlist: Command = {
  name: "faultlist",
  args: "<group> <project>",
  minArgs: 2,
  summary: "Leaves a project out of its group's completion (PADOCC's faultlist); 'drover retry' takes it back.",
  options: { reason: { type: "string", value: "TEXT", required: true, help: "why (kept in the history and the group's summary)" }, timeout: answerTimeout },
  examples: ["drover faultlist demo pr_day_DROVER-DEMO_historical_r1i1p1f1_gn --reason 'source files withdrawn'"],
  async run(ctx, { values, positionals }) {
    const [group = "", code = ""] = positionals;
    const reason = str(values, "reason");
    if (!reason) throw new UsageError("drover faultlist needs --reason TEXT: say why the project is left out");
    await needGroup(await ctx.store(), group);
    const ok = await ask(ctx, "project.faultlist.request", group, code, { by: who(), reason }, seconds(values, "timeout", 60), "faultlist");
    return ok ? 0 : 1;
  },
};
