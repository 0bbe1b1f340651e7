import { existsSync, readFileSync, statSync } from "node:fs";
import { historyLines, mergeByTime, phaseDurations, projectLogDir, readLogFiles, readProject, withFullHistory, type DocStore, type LogLine, type ProjectDoc } from "@drover/shared";
import { HttpError } from "../http/respond.js";
import { dataReportRows, metadataReportRows, sortRows, type ReportRow } from "./report-rows.js";

// A project's page: files, the scan's inventory (summarised), config and overrides, the history
// as a timeline, errors with the log lines around them, the validator's reports as a table, and
// links to the product and reports.

/** Files a page may link to, by the name of the project's output that holds their path. */
export const artifactKinds = ["inventory", "product", "dataReport", "metadataReport", "completedProduct", "completedReport"] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

const MAX_JSON = 20 * 1024 * 1024;
const MAX_LOG_LINES = 500;

function readJson(path: string | undefined): unknown {
  if (!path || !existsSync(path) || !statSync(path).isFile() || statSync(path).size > MAX_JSON) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

interface InventorySummary {
  files: { path: string; size: number }[];
  concatDim: string | null;
  concatLength: number;
  dimensions: unknown[];
  variables: { name: string; dimensions: string[]; shape: number[]; dtype: string; chunks: number[] }[];
  attributes: number;
}

function inventorySummary(raw: unknown): InventorySummary | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const inv = raw as Record<string, unknown>;
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  return {
    files: list<{ path: string; size: number }>(inv["files"]).map((f) => ({ path: f.path, size: f.size })),
    concatDim: (inv["concatDim"] as string | null) ?? null,
    concatLength: Number(inv["concatLength"] ?? 0),
    dimensions: list(inv["dimensions"]),
    variables: list<InventorySummary["variables"][number]>(inv["variables"]).map((v) => ({ name: v.name, dimensions: v.dimensions, shape: v.shape, dtype: v.dtype, chunks: v.chunks })),
    attributes: Object.keys((inv["attributes"] as object | undefined) ?? {}).length,
  };
}

export interface ProjectPage {
  project: Omit<ProjectDoc, "outbox" | "_rev">;
  durations: ReturnType<typeof phaseDurations>;
  inventory: InventorySummary | undefined;
  logs: LogLine[];
  reportRows: ReportRow[];
  artifacts: { kind: ArtifactKind; path: string; isFile: boolean }[];
}

export async function findProject(store: DocStore, group: string, code: string): Promise<ProjectDoc> {
  const p = await readProject(store, `project:${group}:${code}`);
  if (!p) throw new HttpError(404, `no project ${code} in group ${group}`);
  return p;
}

export async function projectPage(store: DocStore, group: string, code: string): Promise<ProjectPage> {
  const p = await withFullHistory(store, await findProject(store, group, code));
  const { outbox: _outbox, _rev, ...project } = p;
  const logs = mergeByTime(...readLogFiles(projectLogDir(p.outputs.workDir)), historyLines(p.history));
  const artifacts = artifactKinds.flatMap((kind) => {
    const path = p.outputs[kind];
    return path && existsSync(path) ? [{ kind, path, isFile: statSync(path).isFile() }] : [];
  });
  return {
    project,
    durations: phaseDurations(p.history),
    inventory: inventorySummary(readJson(p.outputs.inventory)),
    logs: logs.slice(-MAX_LOG_LINES),
    reportRows: sortRows([...dataReportRows(readJson(p.outputs.dataReport)), ...metadataReportRows(readJson(p.outputs.metadataReport))]),
    artifacts,
  };
}

/** The path of one of the project's outputs, when it is a file that exists. */
export async function artifactPath(store: DocStore, group: string, code: string, kind: ArtifactKind): Promise<string> {
  const p = await findProject(store, group, code);
  const path = p.outputs[kind];
  if (!path || !existsSync(path)) throw new HttpError(404, `${group}/${code} has no ${kind} yet`);
  if (!statSync(path).isFile()) throw new HttpError(404, `${group}/${code}'s ${kind} is a directory (a Zarr store) at ${path}: open it with xarray.open_zarr`);
  return path;
}
