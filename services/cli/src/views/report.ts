import type { DataReport, MetadataReport } from "@drover/shared";

// The validator's two reports (PADOCC's data report and metadata report) as rows a person reads:
// fatal differences first, then warnings, then what an ignore template bypassed, with counts.

export interface ReportRow {
  severity: "fatal" | "warning" | "bypassed";
  /** PADOCC's error name: data_errors, size_errors, not_equal, missing… */
  error: string;
  /** What it is about: "variable tas", "attribute global.history", "group model". */
  subject: string;
  detail: string;
}

type Entry = Record<string, unknown>;

function detailOf(entry: Entry): string {
  const info = typeof entry["info"] === "string" ? [entry["info"]] : [];
  const rest = Object.entries(entry)
    .filter(([k]) => k !== "info" && k !== "type" && k !== "SKIP")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [...info, ...rest].join("; ");
}

/**
 * Every entry of both reports as a row. `fatalErrors` names the data report's errors that fail a
 * project (the validator's FATAL_DATA_ERRORS); the data report's other errors and the whole
 * metadata report are warnings. Entries marked SKIP were bypassed by the ignore template.
 */
export function reportRows(data: DataReport, meta: MetadataReport, fatalErrors: readonly string[]): ReportRow[] {
  const rows: ReportRow[] = [];
  const add = (entry: Entry, error: string, subject: string, severity: "fatal" | "warning") =>
    rows.push({ severity: entry["SKIP"] === true ? "bypassed" : severity, error, subject, detail: detailOf(entry) });
  for (const [scope, sections] of [
    ["variable", data.variables],
    ["dimension", data.dimensions],
  ] as const) {
    for (const [error, byName] of Object.entries(sections ?? {})) {
      for (const [name, entry] of Object.entries(byName)) add(entry, error, `${scope} ${name}`, fatalErrors.includes(error) ? "fatal" : "warning");
    }
  }
  for (const [parent, byAttr] of Object.entries(meta.attributes ?? {})) {
    for (const [attr, entry] of Object.entries(byAttr)) add(entry, String(entry["type"] ?? "attribute"), `attribute ${parent}.${attr}`, "warning");
  }
  for (const [scope, section] of [
    ["variable", meta.data_vars],
    ["group", meta.groups],
    ["dimension", meta.dims],
  ] as const) {
    for (const [name, entry] of Object.entries(section ?? {})) add(entry, String(entry["type"] ?? scope), `${scope} ${name}`, "warning");
  }
  const order = { fatal: 0, warning: 1, bypassed: 2 };
  return rows.map((r, i) => ({ r, i })).sort((a, b) => order[a.r.severity] - order[b.r.severity] || a.i - b.i).map(({ r }) => r);
}

/** "2 fatal, 1 warning, 0 bypassed" and the rows under headings, then what the validator skipped on purpose. */
export function formatReport(rows: ReportRow[], skipped: Record<string, string> = {}): string[] {
  const n = (s: ReportRow["severity"]) => rows.filter((r) => r.severity === s).length;
  const lines = [`${n("fatal")} fatal, ${n("warning")} ${n("warning") === 1 ? "warning" : "warnings"}, ${n("bypassed")} bypassed by the ignore template`];
  for (const [severity, title] of [
    ["fatal", "fatal (the product differs from its sources)"],
    ["warning", "warnings (an operator may accept them)"],
    ["bypassed", "bypassed"],
  ] as const) {
    const of = rows.filter((r) => r.severity === severity);
    if (of.length === 0) continue;
    lines.push("", `${title}:`);
    for (const r of of) lines.push(`  ${r.severity === "fatal" ? "FATAL" : r.severity === "warning" ? "WARN " : "SKIP "}  ${r.subject}: ${r.error}${r.detail ? ` — ${r.detail}` : ""}`);
  }
  const skips = Object.entries(skipped);
  if (skips.length > 0) {
    lines.push("", "not compared, on purpose:");
    for (const [k, why] of skips) lines.push(`  ${k}: ${why}`);
  }
  return lines;
}
