import { userInfo } from "node:os";
import { askEach as askEachProject, isFailed, projectStates, retryPick, selectProjects as select, type BodyInput, type ProjectDoc, type ProjectRequest, type ProjectState } from "@drover/shared";
import { askTracker, type Answer } from "../ask.js";
import { seconds, str, strs, UsageError, type Command, type Values } from "../command.js";
import type { Context } from "../context.js";
import { parseOverrides } from "../overrides.js";
import { didYouMean } from "../suggest.js";
import { needProject, parseTarget, type Target } from "../target.js";
import { needGroup } from "./watch.js";

// Operator commands: each sends its request to the state-tracker, the only writer of state, and
// reports the tracker's answer. A refusal exits 1. Commands about many projects of a group
// (retry by status, quarantine, release) send one request per project and count the answers.

const who = () => `${userInfo().username}@cli`;
const answerTimeout = { type: "string", value: "SECONDS", help: "how long to wait for the state-tracker's answer (default 60)" } as const;

function report(t: Target, verb: string, a: Answer): boolean {
  const line = `${verb} ${t.group}/${t.project}: ${a.outcome}${a.state ? ` (${a.state})` : ""}: ${a.message}\n`;
  if (a.outcome === "refused") process.stderr.write(`drover: ${line}`);
  else process.stdout.write(line);
  return a.outcome !== "refused";
}

async function ask<S extends ProjectRequest>(ctx: Context, type: S, t: Target, body: BodyInput<S>, values: Values, verb: string): Promise<boolean> {
  return report(t, verb, await askTracker(ctx, type, { group: t.group, project: t.project }, body, seconds(values, "timeout", 60)));
}

/** The project named on the command line, checked to exist (with a "did you mean"). */
async function target(ctx: Context, positionals: string[], usage: string): Promise<Target> {
  const t = parseTarget(positionals, usage);
  await needProject(await ctx.store(), t);
  return t;
}

/** A group's projects that `pick` selects, a page at a time (the group checked to exist, with a "did you mean"). */
async function selectProjects(ctx: Context, group: string, pick: (p: ProjectDoc) => boolean): Promise<string[]> {
  const store = await ctx.store();
  await needGroup(store, group);
  return select(store, group, pick);
}

/**
 * A command about one project (`<group>/<project>`) or, given only a group, every project `pick`
 * selects; `none` says why there was nothing to do.
 */
async function oneOrMany<S extends ProjectRequest>(ctx: Context, positionals: string[], type: S, body: BodyInput<S>, values: Values, verb: string, pick: (p: ProjectDoc) => boolean, none: string): Promise<number> {
  if (positionals.length > 1 || positionals[0]?.includes("/")) return (await ask(ctx, type, await target(ctx, positionals, `drover ${verb} <group>/<project>`), body, values, verb)) ? 0 : 1;
  const group = positionals[0] ?? "";
  const codes = await selectProjects(ctx, group, pick);
  if (codes.length === 0) {
    process.stdout.write(`nothing to ${verb} in ${group}: ${none}\n`);
    return 0;
  }
  return askEach(ctx, type, group, codes, body, values, verb);
}

/** Sends one request per project (the code the dashboard's actions share), printing each answer; 0 when none was refused. */
async function askEach<S extends ProjectRequest>(ctx: Context, type: S, group: string, codes: string[], body: BodyInput<S>, values: Values, verb: string): Promise<number> {
  const answers = await askEachProject(await ctx.bus(), type, group, codes, body, seconds(values, "timeout", 60), ({ project, answer }) => report({ group, project }, verb, answer));
  const refused = answers.filter((a) => a.answer.outcome === "refused").length;
  if (codes.length > 1) process.stdout.write(`${verb}: ${codes.length - refused} of ${codes.length} projects done${refused ? `, ${refused} refused` : ""}\n`);
  return refused === 0 ? 0 : 1;
}

function parseState(s: string): ProjectState {
  if ((projectStates as readonly string[]).includes(s)) return s as ProjectState;
  throw new UsageError(`--status ${s} is not a state${didYouMean(s, projectStates)}; the states are ${projectStates.join(", ")}`);
}

/** The review of a ValidatedWithWarnings project (ALMA's QA2 pass/fail): accept or reject, with a note. */
function review(name: "accept" | "reject", type: "project.accept.request" | "project.reject.request", summary: string, noteHelp: string, example: string): Command {
  return {
    name,
    args: "<group>/<project>",
    minArgs: 1,
    summary,
    options: { note: { type: "string", value: "TEXT", help: noteHelp }, timeout: answerTimeout },
    examples: [`drover ${name} demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn --note '${example}'`],
    async run(ctx, { values, positionals }) {
      const t = await target(ctx, positionals, `drover ${name} <group>/<project>`);
      return (await ask(ctx, type, t, { by: who(), note: str(values, "note") ?? "" }, values, name)) ? 0 : 1;
    },
  };
}

export const accept = review(
  "accept",
  "project.accept.request",
  "Accepts a ValidatedWithWarnings project (the review's pass): its warnings are recorded as reviewed and it counts as Validated.",
  "why the warnings are acceptable (kept in the history)",
  "history attribute differs only",
);

export const reject = review(
  "reject",
  "project.reject.request",
  "Rejects a ValidatedWithWarnings project (the review's fail): it goes back to compute, the note kept in its history.",
  "what is wrong (kept in the history)",
  "units attribute lost",
);

export const retry: Command = {
  name: "retry",
  args: "<group>[/<project>]",
  minArgs: 1,
  summary:
    "Runs a phase again (PADOCC's repeat-by-status): for one project, or every project of the group in a state (default: every failed or warned one),\n" +
    "optionally with overrides of its config (--set, kept by the project).",
  options: {
    phase: { type: "string", value: "scan|compute|validate", help: "the phase to run again (default: the one that failed)" },
    status: { type: "string", value: "STATE", help: "only the group's projects in this state (ScanFailed, ValidatedWithWarnings, Quarantined…)" },
    set: { type: "string", value: "KEY=VALUE", multiple: true, help: "an override: concat_dim, identical_dims, keep_vars, format, time (2h), memory (4G); repeatable" },
    timeout: answerTimeout,
  },
  examples: ["drover retry demo", "drover retry demo --status ComputeFailed --phase scan --set concat_dim=time --set time=2h", "drover retry demo/pr_day_DROVER-DEMO_historical_r1i1p1f1_gn --phase scan"],
  async run(ctx, { values, positionals }) {
    const phase = str(values, "phase");
    if (phase !== undefined && !["scan", "compute", "validate"].includes(phase)) throw new UsageError(`--phase must be scan, compute or validate, not ${phase}`);
    const overrides = parseOverrides(strs(values, "set"));
    const body = { by: who(), ...(phase ? { phase: phase as "scan" | "compute" | "validate" } : {}), ...(overrides ? { overrides } : {}) };
    const status = str(values, "status");
    const state = status === undefined ? undefined : parseState(status);
    const pick = retryPick(state);
    return oneOrMany(ctx, positionals, "project.retry.request", body, values, "retry", pick, `no project is ${state ?? "failed or has warnings"}`);
  },
};

export const faultlist: Command = {
  name: "faultlist",
  args: "add|remove <group>/<project>",
  minArgs: 2,
  summary: "Leaves a project out of its group's completion (PADOCC's faultlist), or takes it back (remove: it is scanned again).",
  options: { reason: { type: "string", value: "TEXT", help: "why (add needs it; kept in the history and the group's summary)" }, timeout: answerTimeout },
  examples: ["drover faultlist add demo/pr_day_DROVER-DEMO_historical_r1i1p1f1_gn --reason 'source files withdrawn'", "drover faultlist remove demo/pr_day_DROVER-DEMO_historical_r1i1p1f1_gn"],
  async run(ctx, { values, positionals }) {
    const [verb = "", ...rest] = positionals;
    // The older form `drover faultlist <group> <project> --reason …` still adds.
    const action = verb === "add" || verb === "remove" ? verb : "add";
    const args = verb === "add" || verb === "remove" ? rest : positionals;
    const t = await target(ctx, args, "drover faultlist add|remove <group>/<project>");
    if (action === "remove") return (await ask(ctx, "project.unfaultlist.request", t, { by: who() }, values, "faultlist remove")) ? 0 : 1;
    const reason = str(values, "reason");
    if (!reason) throw new UsageError("drover faultlist add needs --reason TEXT: say why the project is left out");
    return (await ask(ctx, "project.faultlist.request", t, { by: who(), reason }, values, "faultlist")) ? 0 : 1;
  },
};

export const quarantine: Command = {
  name: "quarantine",
  args: "<group>[/<project>]",
  minArgs: 1,
  summary: "Sets projects aside for a person (PADOCC's quarantine): one project, or every failed project of the group. Its group waits until they are released or faultlisted.",
  options: { reason: { type: "string", value: "TEXT", required: true, help: "why (kept in the history)" }, timeout: answerTimeout },
  examples: ["drover quarantine demo --reason 'source files being replaced'", "drover quarantine demo/tos_Omon_DROVER-DEMO_historical_r1i1p1f1_gn --reason 'wrong grid'"],
  async run(ctx, { values, positionals }) {
    const reason = str(values, "reason");
    if (!reason) throw new UsageError("drover quarantine needs --reason TEXT: say why");
    return oneOrMany(ctx, positionals, "project.quarantine.request", { by: who(), reason }, values, "quarantine", (p) => isFailed(p.state), "no project has failed");
  },
};

export const release: Command = {
  name: "release",
  args: "<group>[/<project>]",
  minArgs: 1,
  summary: "Takes projects out of quarantine: one project, or every quarantined project of the group. They are scanned again.",
  options: { timeout: answerTimeout },
  examples: ["drover release demo", "drover release demo/tos_Omon_DROVER-DEMO_historical_r1i1p1f1_gn"],
  async run(ctx, { values, positionals }) {
    return oneOrMany(ctx, positionals, "project.release.request", { by: who() }, values, "release", (p) => p.state === "Quarantined", "no project is quarantined");
  },
};

export const transfer: Command = {
  name: "transfer",
  args: "<group>/<project>",
  minArgs: 1,
  summary: "Moves a project at rest, with its history, into another existing group (PADOCC's transfer_project).",
  options: { to: { type: "string", value: "GROUP", required: true, help: "the group it moves to" }, timeout: answerTimeout },
  examples: ["drover transfer demo/tos_Omon_DROVER-DEMO_historical_r1i1p1f1_gn --to demo-ocean"],
  async run(ctx, { values, positionals }) {
    const to = str(values, "to");
    if (!to) throw new UsageError("drover transfer needs --to GROUP: the group the project moves to");
    const t = await target(ctx, positionals, "drover transfer <group>/<project> --to GROUP");
    await needGroup(await ctx.store(), to);
    return (await ask(ctx, "project.transfer.request", t, { by: who(), to }, values, "transfer")) ? 0 : 1;
  },
};
