import { listGroups, projectPages, type DocStore } from "@drover/shared";
import type { Command } from "../command.js";
import { addProject, emptySummary, formatSummary, totalOf, type GroupSummary } from "../views/summary.js";
import { needGroup } from "./watch.js";

// `drover summarise [group]`: PADOCC's summarise, from what the documents record.

async function summarise(store: DocStore, group: string): Promise<GroupSummary> {
  const s = emptySummary(group);
  for await (const page of projectPages(store, group)) for (const p of page) addProject(s, p);
  return s;
}

/** `drover summarise [group] [--json]`. */
export const summariseCommand: Command = {
  name: "summarise",
  args: "[group]",
  summary: "Sizes, formats and chunk counts (as PADOCC's summarise): per group, or every group and their total: projects, source files and bytes, products by format (kerchunk json, kerchunk parquet, zarr), their size and chunks.",
  options: {
    json: { type: "boolean", help: "print the figures as JSON (for scripts)" },
  },
  examples: ["drover summarise demo", "drover summarise"],
  async run(ctx, { values, positionals }) {
    const store = await ctx.store();
    const name = positionals[0];
    const names = name ? [(await needGroup(store, name)).name] : (await listGroups(store)).map((g) => g.name);
    const list: GroupSummary[] = [];
    for (const n of names) list.push(await summarise(store, n));
    const shown = list.length > 1 ? [...list, totalOf(`all ${list.length} groups`, list)] : list;
    if (values["json"]) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else if (shown.length === 0) process.stdout.write("no groups yet: launch one with 'drover launch <group-file.csv>'\n");
    else process.stdout.write(`${shown.map((s) => formatSummary(s).join("\n")).join("\n\n")}\n`);
    return 0;
  },
};
