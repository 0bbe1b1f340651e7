// The validator's reports, in PADOCC's shape so its users can read them: a data report (fatal
// differences) and a metadata report (warnings), an ignore template that bypasses named errors,
// and the status string (Success | Warn-… | Fatal-…) derived from both.

export type Entry = Record<string, unknown>;
export type Section = Record<string, Entry>;

export interface DataReport {
  variables: Record<string, Section>;
  dimensions: Record<string, Section>;
  compared: { files: string[]; variables: string[]; values: number };
}

export interface MetadataReport {
  /** Attributes by parent: "global", a variable's or a group's key in the product. */
  attributes: Record<string, Section>;
  data_vars: Section;
  /** Groups below the root missing from the product (or from the sources), by key ("model/deeper"). */
  groups: Section;
  dims: Section;
  skipped: Record<string, string>;
}

export interface IgnoreTemplate {
  data?: { variables?: Record<string, unknown>; dimensions?: Record<string, unknown> };
  metadata?: {
    data_vars?: Record<string, { type?: string }>;
    variables?: Record<string, { type?: string }>;
    dims?: Record<string, { type?: string }>;
    groups?: Record<string, { type?: string }>;
    attributes?: Record<string, Record<string, { type?: string } | boolean>>;
  };
}

/** unreadable_metadata: a metadata document Python's zarr 2 cannot read, or reads otherwise than meant. */
export const FATAL_DATA_ERRORS = ["size_errors", "dim_errors", "dim_size_errors", "data_errors", "unreadable_metadata"] as const;
export const WARNING_DATA_ERRORS = ["dtype/precision", "growbox", "bypassed"] as const;

export function emptyDataReport(): DataReport {
  return { variables: {}, dimensions: {}, compared: { files: [], variables: [], values: 0 } };
}

export function emptyMetadataReport(): MetadataReport {
  return { attributes: {}, data_vars: {}, groups: {}, dims: {}, skipped: {} };
}

/** Records `entry` under report[section][error][name]. */
export function note(section: Record<string, Section>, error: string, name: string, entry: Entry): void {
  const s = (section[error] ??= {});
  s[name] = entry;
}

export interface Verdict {
  outcome: "Success" | "Warning" | "Fatal";
  status: string;
  fatal: string[];
  warnings: string[];
  bypassed: string[];
}

/**
 * Applies the ignore template (bypassed entries stay in the report, marked SKIP) and says how bad
 * the worst remaining error is. Fatal: size, dimension and data differences, and metadata Python
 * cannot read. Warnings: dtype, attribute, missing-variable, missing-group and order differences.
 */
export function judge(data: DataReport, meta: MetadataReport, ignore: IgnoreTemplate = {}): Verdict {
  const fatal: string[] = [];
  const warnings: string[] = [];
  const bypassed: string[] = [];
  const visit = (label: string, entry: Entry, skip: boolean, into: string[]) => {
    if (skip) {
      entry["SKIP"] = true;
      bypassed.push(label);
    } else into.push(label);
  };
  for (const [scope, sections] of [
    ["variables", data.variables],
    ["dimensions", data.dimensions],
  ] as const) {
    const ig = (ignore.data?.[scope] ?? {}) as Record<string, Record<string, unknown> | undefined>;
    for (const [error, byName] of Object.entries(sections)) {
      const isFatal = (FATAL_DATA_ERRORS as readonly string[]).includes(error);
      for (const [name, entry] of Object.entries(byName)) {
        const skip = ig[error] !== undefined && (ig[error] as Record<string, unknown>)[name] !== undefined;
        visit(`${error}:${name}`, entry, skip, isFatal ? fatal : warnings);
      }
    }
  }
  const igVars = { ...(ignore.metadata?.variables ?? {}), ...(ignore.metadata?.data_vars ?? {}) };
  for (const [name, entry] of Object.entries(meta.data_vars)) {
    const skip = igVars[name] !== undefined && (igVars[name]?.type === undefined || igVars[name]?.type === entry["type"]);
    visit(`data_vars_${name}_${String(entry["type"])}`, entry, skip, warnings);
  }
  for (const [name, entry] of Object.entries(meta.groups)) {
    const ig = ignore.metadata?.groups?.[name];
    visit(`groups_${name}_${String(entry["type"])}`, entry, ig !== undefined && (ig.type === undefined || ig.type === entry["type"]), warnings);
  }
  for (const [name, entry] of Object.entries(meta.dims)) {
    const ig = ignore.metadata?.dims?.[name];
    visit(`dims_${name}_${String(entry["type"])}`, entry, ig !== undefined && (ig.type === undefined || ig.type === entry["type"]), warnings);
  }
  for (const [parent, byAttr] of Object.entries(meta.attributes)) {
    const ig = ignore.metadata?.attributes?.[parent] ?? {};
    for (const [attr, entry] of Object.entries(byAttr)) {
      const rule = ig[attr];
      const skip = ig["skip_all"] === true || (typeof rule === "object" && (rule.type === undefined || rule.type === entry["type"]));
      visit(`${parent}_${attr}_${String(entry["type"])}`, entry, skip, warnings);
    }
  }
  const firstFatal = fatal[0]?.split(":")[0];
  if (firstFatal !== undefined) return { outcome: "Fatal", status: `Fatal-${firstFatal}`, fatal, warnings, bypassed };
  if (warnings.length > 0) return { outcome: "Warning", status: `Warn-${warnings[0]}`, fatal, warnings, bypassed };
  return { outcome: "Success", status: "Success", fatal, warnings, bypassed };
}
