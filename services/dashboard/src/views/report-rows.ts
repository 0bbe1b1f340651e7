import { WARNING_DATA_ERRORS } from "@drover/shared";
import { z } from "zod";

// The validator's reports (PADOCC's data_report.json and metadata_report.json) as table rows:
// fatal rows first, then warnings, then what the ignore template bypassed.

export interface ReportRow {
  severity: "fatal" | "warning" | "bypassed";
  report: "data" | "metadata";
  /** The error's kind: data_errors, not_equal, missing… */
  error: string;
  /** Where: a variable, "global.history", a group. */
  name: string;
  detail: string;
}

const Entry = z.record(z.string(), z.unknown());
const Section = z.record(z.string(), Entry);
const DataReportFile = z.object({ variables: z.record(z.string(), Section).default({}), dimensions: z.record(z.string(), Section).default({}) }).loose();
const MetadataReportFile = z
  .object({
    attributes: z.record(z.string(), Section).default({}),
    data_vars: Section.default({}),
    groups: Section.default({}),
    dims: Section.default({}),
  })
  .loose();

function detail(entry: Record<string, unknown>): string {
  return Object.entries(entry)
    .filter(([k]) => k !== "SKIP" && k !== "type")
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("; ");
}

const warningData = new Set<string>(WARNING_DATA_ERRORS);

export function dataReportRows(raw: unknown): ReportRow[] {
  const r = DataReportFile.safeParse(raw);
  if (!r.success) return [];
  const rows: ReportRow[] = [];
  for (const part of [r.data.variables, r.data.dimensions]) {
    for (const [error, names] of Object.entries(part)) {
      for (const [name, entry] of Object.entries(names)) {
        rows.push({ severity: entry["SKIP"] ? "bypassed" : warningData.has(error) ? "warning" : "fatal", report: "data", error, name, detail: detail(entry) });
      }
    }
  }
  return rows;
}

export function metadataReportRows(raw: unknown): ReportRow[] {
  const r = MetadataReportFile.safeParse(raw);
  if (!r.success) return [];
  const rows: ReportRow[] = [];
  const add = (name: string, entry: Record<string, unknown>) =>
    rows.push({ severity: entry["SKIP"] ? "bypassed" : "warning", report: "metadata", error: String(entry["type"] ?? "differs"), name, detail: detail(entry) });
  for (const [parent, attrs] of Object.entries(r.data.attributes)) for (const [attr, entry] of Object.entries(attrs)) add(`${parent}.${attr}`, entry);
  for (const [kind, section] of [["variable", r.data.data_vars], ["group", r.data.groups], ["dimension", r.data.dims]] as const) {
    for (const [name, entry] of Object.entries(section)) add(`${kind} ${name}`, entry);
  }
  return rows;
}

const order = { fatal: 0, warning: 1, bypassed: 2 } as const;

export function sortRows(rows: ReportRow[]): ReportRow[] {
  return [...rows].sort((a, b) => order[a.severity] - order[b.severity]);
}
