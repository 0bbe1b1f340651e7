import { existsSync, readFileSync } from "node:fs";
import { withFullHistory, type Inventory, type ProjectDoc } from "@drover/shared";
import type { Command } from "../command.js";
import { stateColour } from "../render.js";
import { projectOf } from "../target.js";
import { oneLineError } from "../views/phase-table.js";
import { configLines, fileLines, inventoryLines } from "../views/project.js";
import { describeDurations, phaseDurations, timelineLines } from "../views/timeline.js";

// `drover show <group>/<project>`: one project, everything an operator asks about it.

function readInventory(path: string | undefined): { lines: string[] } {
  if (!path) return { lines: ["inventory: none yet (the project has not been scanned)"] };
  if (!existsSync(path)) return { lines: [`inventory: ${path} is gone (scan again: 'drover retry … --phase scan')`] };
  try {
    return { lines: inventoryLines(JSON.parse(readFileSync(path, "utf8")) as Inventory, path) };
  } catch (e) {
    return { lines: [`inventory: cannot read ${path}: ${(e as Error).message}`] };
  }
}

const where = (label: string, path: string | undefined) => (path ? [`  ${label.padEnd(16)} ${path}${existsSync(path) ? "" : "  (missing)"}`] : []);

export function describeProject(p: ProjectDoc): string[] {
  const lines = [`project ${p.group}/${p.code}: ${stateColour(p.state)}`];
  if (p.faultlistReason && p.state === "Faultlisted") lines.push(`faultlisted: ${p.faultlistReason}`);
  if (p.quarantineReason && p.state === "Quarantined") lines.push(`quarantined: ${p.quarantineReason}`);
  lines.push(...fileLines(p.files, p.scan?.bytes), ...configLines(p), ...readInventory(p.outputs.inventory).lines);
  lines.push("", `timeline (${describeDurations(phaseDurations(p.history)) || "no phase started yet"}):`, ...timelineLines(p.history).map((l) => `  ${l}`));
  const issues = [...p.issues];
  lines.push("", p.lastError || issues.length > 0 ? "errors and issues:" : "errors: none");
  if (p.lastError) lines.push(`  last error: ${oneLineError(p.lastError, 400)}${p.lastError.permanent ? "" : " (transient)"}`);
  for (const i of issues) lines.push(`  ${i.severity}: ${oneLineError({ kind: i.code, message: i.message, file: i.file, variable: i.variable }, 400)}`);
  lines.push("", "where:", ...where("work dir", p.outputs.workDir), ...where("product", p.outputs.product), ...where("data report", p.outputs.dataReport), ...where("metadata report", p.outputs.metadataReport), ...where("published", p.outputs.completedProduct), ...where("published report", p.outputs.completedReport));
  if (p.compute) lines.push(`  product: ${p.compute.format} ${p.compute.revision}, ${p.compute.variables} variables, ${p.compute.chunksWritten} chunks${p.compute.note ? ` (${p.compute.note})` : ""}`);
  if (p.validation) lines.push(`  validation: ${p.validation.status}, ${p.validation.valuesCompared} values compared ('drover report ${p.group}/${p.code}')`);
  lines.push(`  logs: 'drover logs ${p.group}/${p.code}'`);
  return lines;
}

/** `drover show <group>/<project> [--json]`. */
export const show: Command = {
  name: "show",
  args: "<group>/<project>",
  minArgs: 1,
  summary: "One project: its files, config and overrides, what the scan found, its history as a timeline with each phase's duration, its errors, and where its product, reports and logs are.",
  options: {
    json: { type: "boolean", help: "print the project's document as JSON (for scripts)" },
  },
  examples: ["drover show demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn", "drover show demo tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn --json | jq .history"],
  async run(ctx, { values, positionals }) {
    // Its whole history: the entries moved out of its document too.
    const p = await withFullHistory(await ctx.store(), await projectOf(ctx, this, positionals));
    process.stdout.write(values["json"] ? `${JSON.stringify(p, null, 2)}\n` : `${describeProject(p).join("\n")}\n`);
    return 0;
  },
};

/** `drover history`: what it always showed, now part of `drover show`. */
export const history: Command = {
  ...show,
  name: "history",
  args: "<group> <project>",
  summary: "The same as 'drover show' (a project's history, outputs, issues and errors), kept under its old name.",
  examples: ["drover history demo tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"],
};
