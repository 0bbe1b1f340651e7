import { describeMove, listGroups, listProjects, projectId, readProject, type ProjectDoc } from "@drover/shared";
import type { Command } from "../command.js";
import { groupView, stateColour } from "../render.js";
import { needGroup, watchGroup } from "./watch.js";

/** `drover status [group] [--watch] [--json]`: every group, or one group's projects. */
export const status: Command = {
  name: "status",
  args: "[group]",
  summary: "Every group with its projects counted by state, or one group's projects (live with --watch).",
  options: {
    watch: { type: "boolean", help: "follow the group live until it is complete or needs an operator" },
    json: { type: "boolean", help: "print the documents as JSON (for scripts)" },
  },
  examples: ["drover status", "drover status demo --watch", "drover status demo --json | jq '.projects[].state'"],
  async run(ctx, { values, positionals }) {
    const store = await ctx.store();
    const name = positionals[0];
    if (!name) {
      const groups = await listGroups(store);
      if (values["json"]) {
        process.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
        return 0;
      }
      if (groups.length === 0) process.stdout.write("no groups yet: launch one with 'drover launch <group-file.csv>'\n");
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
    if (values["watch"]) {
      const r = await watchGroup(ctx, name);
      return r.group.state === "Completed" ? 0 : 1;
    }
    const g = await needGroup(store, name);
    const projects = await listProjects(store, name);
    if (values["json"]) process.stdout.write(`${JSON.stringify({ group: g, projects }, null, 2)}\n`);
    else process.stdout.write(`${groupView(g, projects, new Map()).join("\n")}\n`);
    return 0;
  },
};

function describeProject(p: ProjectDoc): string[] {
  const lines = [`project ${p.group}/${p.code}: ${stateColour(p.state)}`, `  files: ${p.files.length} (work dir ${p.outputs.workDir})`];
  for (const [k, v] of Object.entries(p.outputs)) if (k !== "workDir" && v) lines.push(`  ${k}: ${v}`);
  if (p.lastError) lines.push(`  last error: ${p.lastError.kind}: ${p.lastError.message}`);
  for (const i of p.issues) lines.push(`  ${i.severity}: ${i.message}`);
  lines.push("  history:");
  for (const h of p.history) lines.push(`    ${h.seq}. ${h.at}  ${describeMove(h)}  (${h.event}) ${h.reason}`);
  return lines;
}

/** `drover history <group> <project>`: a project's state changes, outputs and errors. */
export const history: Command = {
  name: "history",
  args: "<group> <project>",
  minArgs: 2,
  summary: "A project's state changes, outputs, issues and last error.",
  options: {},
  examples: ["drover history demo tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"],
  async run(ctx, { positionals }) {
    const [group = "", code = ""] = positionals;
    const store = await ctx.store();
    await needGroup(store, group);
    const p = await readProject(store, projectId(group, code));
    if (!p) {
      process.stderr.write(`drover: no project ${code} in group ${group} (see 'drover status ${group}')\n`);
      return 1;
    }
    process.stdout.write(`${describeProject(p).join("\n")}\n`);
    return 0;
  },
};
