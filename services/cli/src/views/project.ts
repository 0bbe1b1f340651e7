import { dirname } from "node:path";
import type { Inventory, ProjectDoc } from "@drover/shared";
import { count } from "@drover/shared";
import { bytes } from "./units.js";

// The parts of `drover show`: a project's files, its config, and what the scan found.

/** The deepest directory holding every file ("/" at worst). */
export function commonDir(files: string[]): string {
  if (files.length === 0) return "";
  let dir = dirname(files[0] ?? "");
  for (const f of files) while (dir !== "/" && !f.startsWith(`${dir}/`)) dir = dirname(dir);
  return dir;
}

/** "3 files in /data/tas/ (396.7 kB)", then the first `first` names and "… 7 more". */
export function fileLines(files: string[], sourceBytes: number | undefined, first = 3): string[] {
  const dir = commonDir(files);
  const size = sourceBytes !== undefined ? `, ${bytes(sourceBytes)}` : "";
  const lines = [`files: ${count(files.length, "file")} in ${dir}${dir.endsWith("/") ? "" : "/"}${size}`];
  for (const f of files.slice(0, first)) lines.push(`  ${dir === "/" ? f : f.slice(dir.length + 1)}`);
  if (files.length > first) lines.push(`  … ${files.length - first} more ('drover show … --json' lists them all)`);
  return lines;
}

const quote = (v: unknown) => JSON.stringify(v);

/**
 * The config as launched (format, concatenation and identical dimensions, kept variables) with
 * what the scan chose where the config left it open, and the overrides of the product's
 * attributes (PADOCC's updates and removals).
 */
export function configLines(p: Pick<ProjectDoc, "config" | "scan">): string[] {
  const c = p.config;
  const parts = [`format ${c.format}`];
  if (c.concatDim !== undefined) parts.push(`concat dim ${c.concatDim}`);
  else if (p.scan) parts.push(`concat dim ${p.scan.concatDim ?? "none"} (chosen by the scan)`);
  if (c.identicalDims !== undefined) parts.push(`identical dims ${c.identicalDims.join(", ") || "none"}`);
  else if (p.scan) parts.push(`identical dims ${p.scan.identicalDims.join(", ") || "none"} (found by the scan)`);
  if (c.keepVars) parts.push(`keep vars ${c.keepVars.join(", ")}`);
  if (c.budget) parts.push(`budget ${[c.budget.seconds ? `${c.budget.seconds} s` : "", c.budget.memoryMb ? `${c.budget.memoryMb} MB` : ""].filter(Boolean).join(", ")}`);
  const overrides = [
    ...Object.entries(c.updates ?? {}).map(([k, v]) => `set ${k}=${quote(v)}`),
    ...(c.removals ?? []).map((k) => `drop ${k}`),
  ];
  return [`config: ${parts.join("; ")}`, `overrides: ${overrides.length > 0 ? overrides.join("; ") : "none (the sources' attributes as they are)"}`];
}

/** The scan's inventory in a few lines: dimensions, data variables with shape and chunks, issues. */
export function inventoryLines(inv: Inventory, path: string, maxVariables = 8): string[] {
  const dims = inv.dimensions.map((d) => `${d.name}=${d.size}${d.unlimited ? " (unlimited)" : ""}`);
  const data = inv.variables.filter((v) => !v.isCoordinate);
  const coords = inv.variables.filter((v) => v.isCoordinate).map((v) => v.name);
  const lines = [
    `inventory: ${path}`,
    `  ${count(inv.files.length, "file")}, ${bytes(inv.bytes)}, ${count(inv.chunks, "chunk")}; ${inv.concatDim ? `concatenated along ${inv.concatDim} (${inv.concatLength} steps)` : "one file, nothing to concatenate"}`,
    `  dimensions: ${dims.join(", ") || "none"}`,
    `  coordinates: ${coords.join(", ") || "none"}`,
    `  ${count(data.length, "data variable")}:`,
  ];
  for (const v of data.slice(0, maxVariables)) {
    const shape = v.shape.length === 0 ? "scalar" : `shape ${v.shape.join("×")} chunks ${v.chunks.join("×")}`;
    lines.push(`    ${v.name}(${v.dimensions.join(", ")}) ${v.dtype} ${shape}${v.filters.length ? ` [${v.filters.join(", ")}]` : ""}`);
  }
  if (data.length > maxVariables) lines.push(`    … ${data.length - maxVariables} more`);
  if (inv.groups.length > 0) lines.push(`  groups: ${inv.groups.map((g) => g.name).join(", ")}`);
  if (inv.variableSets && inv.variableSets.length > 1) lines.push(`  ${count(inv.variableSets.length, "variable set")} merged`);
  if (inv.differingAttributes.length > 0) lines.push(`  attributes that differ between files (the earliest file's kept): ${inv.differingAttributes.join(", ")}`);
  return lines;
}
