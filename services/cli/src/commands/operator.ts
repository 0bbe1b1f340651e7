import { userInfo } from "node:os";
import { listProjects, readProject, type Phase } from "@drover/shared";
import { parse, str } from "../args.js";
import type { Context } from "../context.js";

// Operator commands: each checks the project's state first (a clear refusal beats a message the
// state-tracker would refuse), then sends the request to the state-tracker.

const who = () => `${userInfo().username}@cli`;

async function needProject(ctx: Context, group: string, code: string) {
  const p = await readProject(await ctx.store(), `project:${group}:${code}`);
  if (!p) throw new Error(`no project ${code} in group ${group} (see 'drover status ${group}')`);
  return p;
}

export async function accept(ctx: Context, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { note: { type: "string", default: "" } }, "drover accept <group> <project> [--note TEXT]");
  const [group, code] = positionals;
  if (!group || !code) throw new Error("usage: drover accept <group> <project> [--note TEXT]");
  const p = await needProject(ctx, group, code);
  if (p.state !== "ValidatedWithWarnings") throw new Error(`${code} is ${p.state}; only ValidatedWithWarnings can be accepted`);
  await (await ctx.bus()).send("project.accept.request", { group, project: code }, { by: who(), note: str(values, "note") ?? "" });
  process.stdout.write(`asked to accept ${group}/${code} (${p.validation?.warnings.length ?? 0} warnings)\n`);
  return 0;
}

export async function retry(ctx: Context, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { phase: { type: "string" } }, "drover retry <group> [project] [--phase scan|compute|validate]");
  const [group, code] = positionals;
  if (!group) throw new Error("usage: drover retry <group> [project] [--phase scan|compute|validate]");
  const phase = str(values, "phase") as Phase | undefined;
  if (phase !== undefined && !["scan", "compute", "validate"].includes(phase)) throw new Error(`--phase must be scan, compute or validate, not ${phase}`);
  const targets = code
    ? [await needProject(ctx, group, code)]
    : (await listProjects(await ctx.store(), group)).filter((p) => p.state.endsWith("Failed") || p.state === "ValidatedWithWarnings");
  if (targets.length === 0) {
    process.stdout.write(`nothing to retry in ${group}\n`);
    return 0;
  }
  const bus = await ctx.bus();
  for (const p of targets) {
    await bus.send("project.retry.request", { group, project: p.code }, { by: who(), ...(phase ? { phase } : {}) });
    process.stdout.write(`asked to retry ${group}/${p.code} (${p.state})\n`);
  }
  return 0;
}

export async function faultlist(ctx: Context, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { reason: { type: "string" } }, "drover faultlist <group> <project> --reason TEXT");
  const [group, code] = positionals;
  const reason = str(values, "reason");
  if (!group || !code || !reason) throw new Error("usage: drover faultlist <group> <project> --reason TEXT");
  const p = await needProject(ctx, group, code);
  await (await ctx.bus()).send("project.faultlist.request", { group, project: code }, { by: who(), reason });
  process.stdout.write(`asked to faultlist ${group}/${code} (was ${p.state})\n`);
  return 0;
}
