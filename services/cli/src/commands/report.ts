import { existsSync, readFileSync } from "node:fs";
import type { DataReport, MetadataReport } from "@drover/shared";
import { FATAL_DATA_ERRORS } from "@drover/shared/validate/report";
import type { Command } from "../command.js";
import { projectOf } from "../target.js";
import { formatReport, reportRows } from "../views/report.js";

// `drover report <group>/<project>`: the validator's data report and metadata report, readable.

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message} (validate again: 'drover retry <group> <project> --phase validate')`);
  }
}

/** The two reports: from the work directory, else from the published copy (which holds both). */
function readReports(outputs: { dataReport?: string | undefined; metadataReport?: string | undefined; completedReport?: string | undefined }): { data: DataReport; meta: MetadataReport; from: string } | undefined {
  if (outputs.dataReport && outputs.metadataReport && existsSync(outputs.dataReport) && existsSync(outputs.metadataReport)) {
    return { data: readJson(outputs.dataReport, "data report"), meta: readJson(outputs.metadataReport, "metadata report"), from: `${outputs.dataReport}\n  and ${outputs.metadataReport}` };
  }
  if (outputs.completedReport && existsSync(outputs.completedReport)) {
    const r = readJson<{ data: DataReport; metadata: MetadataReport }>(outputs.completedReport, "published report");
    return { data: r.data, meta: r.metadata, from: outputs.completedReport };
  }
  return undefined;
}

/** `drover report <group>/<project>`. */
export const report: Command = {
  name: "report",
  args: "<group>/<project>",
  minArgs: 1,
  summary: "A project's validation: the data report (fatal differences) and the metadata report (warnings), fatal rows first, then warnings, with counts.",
  options: {},
  examples: ["drover report demo/tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn"],
  async run(ctx, { positionals }) {
    const p = await projectOf(ctx, this, positionals);
    const reports = readReports(p.outputs);
    if (!reports) {
      process.stderr.write(`drover: ${p.group}/${p.code} has no validation report yet (it is ${p.state}; the validator writes data_report.json and metadata_report.json into ${p.outputs.workDir})\n`);
      return 1;
    }
    const head = [`report of ${p.group}/${p.code}: ${p.validation?.status ?? "status not recorded"}${p.validation ? `, ${p.validation.valuesCompared} values compared in ${p.validation.filesCompared.length} files` : ""}`, `  from ${reports.from}`, ""];
    const body = formatReport(reportRows(reports.data, reports.meta, FATAL_DATA_ERRORS), reports.meta.skipped);
    process.stdout.write(`${[...head, ...body].join("\n")}\n`);
    return 0;
  },
};
