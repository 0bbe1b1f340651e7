import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { count } from "../words.js";
import { DroverError, isDroverError } from "../errors.js";
import { assertAllowed } from "../paths.js";
import { AttrValue, Name, type ProjectConfig } from "../schemas.js";
import { globFiles, hasMagic } from "./glob.js";

// PADOCC's group file: CSV, one project per line:
//   project_code,<glob | path to a .txt list of files>[,<updates.json>][,<removals.json>][,var1,var2…]
// An optional header line (containing "project_code" or "proj_code"), blank lines and lines
// starting with '#' are skipped. A quoted field may contain commas.

export interface GroupProject {
  code: string;
  files: string[];
  config: ProjectConfig;
  /** Line of the group file the project came from (1-based). */
  line: number;
}

export interface GroupSpec {
  name: string;
  groupFile: string;
  projects: GroupProject[];
}

/** Splits one CSV line; double quotes protect commas, "" is a literal quote. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** A group's name from its file name: "demo.csv" → "demo". */
export function groupNameFromFile(file: string): string {
  return basename(file).replace(/\.(csv|txt)$/i, "");
}

const Updates = z.record(z.string(), AttrValue);
const Removals = z.array(z.string());

function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string, where: string): T {
  if (!existsSync(path)) throw new DroverError("GroupFileError", `${where}: ${what} file ${path} does not exist`, { file: path });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DroverError("GroupFileError", `${where}: ${what} file ${path} is not valid JSON: ${(e as Error).message}`, { file: path });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new DroverError("GroupFileError", `${where}: ${what} file ${path} has the wrong shape: ${r.error.issues[0]?.message ?? ""}`, { file: path });
  }
  return r.data;
}

/** Resolves a project's pattern to its files: a glob, or a .txt file listing one path per line. */
export function resolveFiles(pattern: string, baseDir: string, where: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  if (/\.txt$/i.test(abs) && !hasMagic(abs)) {
    if (!existsSync(abs)) throw new DroverError("GroupFileError", `${where}: file list ${abs} does not exist`, { file: abs });
    const listDir = dirname(abs);
    return readFileSync(abs, "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => (isAbsolute(l) ? l : resolve(listDir, l)));
  }
  if (hasMagic(abs)) return globFiles(abs);
  return [abs];
}

/**
 * Reads and checks a whole group file: every bad line is reported, each naming its line number,
 * so one run shows everything to fix. Every source file must exist and lie under an allowed root.
 */
export function readGroupFile(groupFile: string, roots: readonly string[], options: { name?: string; config?: Partial<ProjectConfig> } = {}): GroupSpec {
  const path = resolve(groupFile);
  if (!existsSync(path)) {
    throw new DroverError("GroupFileError", `group file ${path} does not exist`, { file: path });
  }
  const name = options.name ?? groupNameFromFile(path);
  const nameCheck = Name.safeParse(name);
  if (!nameCheck.success) {
    throw new DroverError("GroupFileError", `group name ${JSON.stringify(name)} (from ${basename(path)}) ${nameCheck.error.issues[0]?.message ?? "is not valid"}; rename the file or pass --group`, { file: path });
  }
  const baseDir = dirname(path);
  const errors: string[] = [];
  const projects: GroupProject[] = [];
  const seen = new Map<string, number>();
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  lines.forEach((text, i) => {
    const lineNo = i + 1;
    const where = `${basename(path)} line ${lineNo}`;
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    if (i === 0 && /(^|,)\s*(proj_code|project_code)\s*(,|$)/.test(trimmed)) return;
    const fields = splitCsvLine(trimmed);
    const [code = "", pattern = "", updates = "", removals = "", ...keepVars] = fields;
    try {
      const c = Name.safeParse(code);
      if (!c.success) throw new DroverError("GroupFileError", `${where}: project code ${JSON.stringify(code)} ${c.error.issues[0]?.message ?? "is not valid"}`);
      if (pattern === "") throw new DroverError("GroupFileError", `${where}: project ${code} has no file pattern (expected "code,<glob or .txt list>")`);
      const prev = seen.get(code);
      if (prev !== undefined) throw new DroverError("GroupFileError", `${where}: project ${code} is already defined on line ${prev}`);
      seen.set(code, lineNo);
      const files = resolveFiles(pattern, baseDir, where);
      if (files.length === 0) throw new DroverError("GroupFileError", `${where}: pattern ${pattern} matches no files`);
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0) {
        throw new DroverError("GroupFileError", `${where}: ${missing.length} file${missing.length > 1 ? "s do" : " does"} not exist: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}`, { file: missing[0] ?? "" });
      }
      for (const f of files) assertAllowed(f, roots, `${where}: `);
      const config: ProjectConfig = { format: "kerchunk", ...options.config };
      if (updates !== "") config.updates = readJsonFile(resolve(baseDir, updates), Updates, "updates", where);
      if (removals !== "") config.removals = readJsonFile(resolve(baseDir, removals), Removals, "removals", where);
      const vars = keepVars.filter((v) => v !== "");
      if (vars.length > 0) config.keepVars = vars;
      projects.push({ code, files: [...new Set(files)], config, line: lineNo });
    } catch (e) {
      errors.push(isDroverError(e) ? e.message : `${where}: ${(e as Error).message}`);
    }
  });
  if (errors.length > 0) {
    throw new DroverError("GroupFileError", `group file ${path} has ${count(errors.length, "problem")}:\n  ${errors.join("\n  ")}`, { file: path });
  }
  if (projects.length === 0) {
    throw new DroverError("GroupFileError", `group file ${path} lists no projects (expected lines "project_code,<glob or .txt list>")`, { file: path });
  }
  return { name, groupFile: path, projects };
}
