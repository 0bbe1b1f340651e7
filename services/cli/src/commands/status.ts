import { listGroups, listProjects, readGroup, readProject, type ProjectDoc } from "@drover/shared";
import { parse } from "../args.js";
import type { Context } from "../context.js";
import { groupView, stateColour } from "../render.js";
import { watchGroup } from "./watch.js";

/** `drover status [group] [--watch]`: every group, or one group's projects. */
export async function status(ctx: Context, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { watch: { type: "boolean", default: false }, json: { type: "boolean", default: false } }, "drover status [group] [--watch] [--json]");
  const store = await ctx.store();
  const name = positionals[0];
  if (!name) {
    const groups = await listGroups(store);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
      return 0;
    }
    if (groups.length === 0) process.stdout.write("no groups yet: launch one with 'npm run launch -- <group-file.csv>'\n");
    for (const g of groups) {
      const counts = await store.countStates(g.name);
      const summary = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ");
      process.stdout.write(`${g.name}: ${stateColour(g.state)} (${summary})\n`);
    }
    return 0;
  }
  if (values.watch) {
    const r = await watchGroup(ctx, name);
    return r.group.state === "Completed" ? 0 : 1;
  }
  const g = await readGroup(store, `group:${name}`);
  if (!g) {
    process.stderr.write(`no group called ${name}\n`);
    return 1;
  }
  const projects = await listProjects(store, name);
  if (values.json) process.stdout.write(`${JSON.stringify({ group: g, projects }, null, 2)}\n`);
  else process.stdout.write(`${groupView(g, projects, new Map()).join("\n")}\n`);
  return 0;
}

function describeProject(p: ProjectDoc): string[] {
  const lines = [`project ${p.group}/${p.code}: ${stateColour(p.state)}`, `  files: ${p.files.length} (work dir ${p.outputs.workDir})`];
  for (const [k, v] of Object.entries(p.outputs)) if (k !== "workDir" && v) lines.push(`  ${k}: ${v}`);
  if (p.lastError) lines.push(`  last error: ${p.lastError.kind}: ${p.lastError.message}`);
  for (const i of p.issues) lines.push(`  ${i.severity}: ${i.message}`);
  lines.push("  history:");
  for (const h of p.history) lines.push(`    ${h.seq}. ${h.at}  ${h.from} → ${h.to}  (${h.event}) ${h.reason}`);
  return lines;
}

/** `drover history <group> <project>`: a project's state changes, outputs and errors. */
export async function history(ctx: Context, argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, "drover history <group> <project>");
  const [group, code] = positionals;
  if (!group || !code) {
    process.stderr.write("usage: drover history <group> <project>\n");
    return 2;
  }
  const p = await readProject(await ctx.store(), `project:${group}:${code}`);
  if (!p) {
    process.stderr.write(`no project ${code} in group ${group}\n`);
    return 1;
  }
  process.stdout.write(`${describeProject(p).join("\n")}\n`);
  return 0;
}
