import { isFailed, listGroups, needsOperator, projectPages, type DocStore, type GroupDoc, type ProjectDoc, type ProjectState } from "@drover/shared";
import type { Command } from "../command.js";
import { stateColour } from "../render.js";
import { formatPhaseTable, oneLineError, phaseTable } from "../views/phase-table.js";
import { needGroup, watchGroup } from "./watch.js";

// `drover history` is now `drover show` under its old name; main.ts loads it from here.
export { history } from "./show.js";

// `drover status`: every group on a line, or one group phase by phase with the projects that need
// an operator. One view query counts a group's projects by state, whatever its size; projects are
// read only to list the failing ones, a page at a time, and only as many as are shown.

/** Failing projects listed at most; the rest are counted. */
const SHOWN = 25;

/** Why a project needs an operator, on one line. */
function whyLine(p: ProjectDoc, width: number): string {
  if (isFailed(p.state) && p.lastError) return oneLineError(p.lastError, width);
  if (p.state === "Quarantined") return `quarantined: ${p.quarantineReason ?? p.history.at(-1)?.reason ?? "no reason recorded"}`;
  if (p.state === "ValidatedWithWarnings") return `${p.validation?.status ?? "warnings"}: 'drover report ${p.group}/${p.code}', then accept or retry`;
  return p.history.at(-1)?.reason ?? "";
}

async function needingOperator(store: DocStore, group: string, limit: number): Promise<ProjectDoc[]> {
  const found: ProjectDoc[] = [];
  for await (const page of projectPages(store, group, 500)) {
    for (const p of page) if (needsOperator(p.state)) found.push(p);
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

async function groupSummary(store: DocStore, g: GroupDoc): Promise<string[]> {
  const counts = await store.countStates(g.name);
  const table = phaseTable(counts);
  const registered = table.inPlay + table.faultlisted + table.quarantined;
  const pending = g.projects.length > registered ? `, ${g.projects.length - registered} not registered yet` : "";
  const lines = [`group ${g.name}: ${stateColour(g.state)}  ${registered} projects${pending}  (group file ${g.groupFile})`, ...formatPhaseTable(table)];
  if (g.state === "Completed" && g.reasons[0]) lines.push(`  ${g.reasons[0]}`);
  const needing = (Object.entries(counts) as [ProjectState, number][]).filter(([s]) => needsOperator(s)).reduce((n, [, c]) => n + c, 0);
  if (needing > 0) {
    const shown = await needingOperator(store, g.name, SHOWN);
    const width = Math.max(...shown.map((p) => p.code.length));
    lines.push("", `needing an operator (${needing}):`);
    // On a terminal each error is cut to the screen's width; into a pipe it is written whole.
    const room = process.stdout.isTTY ? Math.max(40, (process.stdout.columns || 160) - width - 27) : Number.POSITIVE_INFINITY;
    for (const p of shown) lines.push(`  ${p.code.padEnd(width)}  ${stateColour(p.state)}${" ".repeat(Math.max(0, 21 - p.state.length))}  ${whyLine(p, room)}`);
    if (needing > shown.length) lines.push(`  … ${needing - shown.length} more ('drover status ${g.name} --json' lists every project)`);
    lines.push(`  ('drover show ${g.name}/<project>' and 'drover logs ${g.name}/<project>' tell more)`);
  }
  return lines;
}

/** The group, its counts and every project as one JSON document, written a page of projects at a time. */
async function writeJson(store: DocStore, g: GroupDoc): Promise<void> {
  const counts = await store.countStates(g.name);
  process.stdout.write(`{\n"group": ${JSON.stringify(g)},\n"counts": ${JSON.stringify(counts)},\n"phases": ${JSON.stringify(phaseTable(counts))},\n"projects": [`);
  let first = true;
  for await (const page of projectPages(store, g.name)) {
    for (const p of page) {
      process.stdout.write(`${first ? "\n" : ",\n"}${JSON.stringify(p)}`);
      first = false;
    }
  }
  process.stdout.write("\n]\n}\n");
}

/** `drover status [group] [--watch] [--json]`. */
export const status: Command = {
  name: "status",
  args: "[group]",
  summary:
    "Every group on a line, or one group phase by phase (done, running, failed, waiting, with percentages) and the projects that need an operator, each with its error on one line (live with --watch).",
  options: {
    watch: { type: "boolean", help: "follow the group live until it is complete or needs an operator" },
    json: { type: "boolean", help: "print the documents as JSON (for scripts): the groups, or the group, its counts and every project" },
  },
  examples: ["drover status", "drover status demo", "drover status demo --watch", "drover status demo --json | jq '.projects[].state'"],
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
    if (values["json"]) await writeJson(store, g);
    else process.stdout.write(`${(await groupSummary(store, g)).join("\n")}\n`);
    return 0;
  },
};
