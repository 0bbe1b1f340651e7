import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

// Where a one-shot command may write its product. A product replaces an earlier product of its
// kind (a JSON file, a Zarr store, a Parquet reference directory); it never replaces anything else,
// never a directory holding one of its own sources, and the check happens before any file is read.

export type ProductKind = "json" | "parquet" | "zarr";

/** What is at the output path now, as far as the decision needs. */
export type Existing = { parent: string; writableParent: boolean } & (
  | { kind: "none" }
  | { kind: "file" }
  /** `files`: the regular files (and other non-directories) at the top of the directory; `empty`: nothing at all in it. */
  | { kind: "directory"; files: string[]; empty: boolean }
);

/** The file at the top of a store each kind writes, and the only files that may be there (the rest are directories). */
const MARKER: Record<Exclude<ProductKind, "json">, string> = { zarr: ".zgroup", parquet: ".zmetadata" };
const TOP_FILES = new Set([".zgroup", ".zattrs", ".zmetadata"]);

function inside(dir: string, file: string): boolean {
  const r = relative(dir, file);
  return r === "" || (!r.startsWith(`..${sep}`) && r !== ".." && !r.startsWith(sep));
}

/**
 * Why `out` must not be written, or undefined when it may be. Pure: `existing` says what is at
 * `out` (see `existingAt`). Every reason names the path and what to do instead.
 */
export function outputRefusal(out: string, kind: ProductKind, inputs: readonly string[], existing: Existing, sideDirectories: readonly string[] = []): string | undefined {
  const side = sideDirectories[0];
  if (side !== undefined) return `${side} is a directory, and drover writes a report of -o ${out} by that name: move it away or choose another -o`;
  const own = inputs.find((f) => inside(out, f));
  if (own !== undefined) {
    return own === out ? `-o ${out} is one of the input files: write the product somewhere else` : `-o ${out} holds the input file ${own}: writing the product there would replace it; choose another -o`;
  }
  if (!existing.writableParent) return `-o ${out}: cannot write in ${existing.parent} (no permission, or not a directory); choose another -o or fix the directory's permissions`;
  if (existing.kind === "none") return undefined;
  if (kind === "json") return existing.kind === "directory" ? `-o ${out} is a directory: name the JSON file to write` : undefined;
  const what = kind === "zarr" ? "Zarr store" : "Parquet reference directory";
  if (existing.kind === "file") return `-o ${out} is a file, not a ${what}: choose another -o, or remove it yourself`;
  if (existing.empty) return undefined;
  const marker = MARKER[kind];
  const foreign = existing.files.find((n) => !TOP_FILES.has(n));
  if (!existing.files.includes(marker) || foreign !== undefined) {
    return `-o ${out} exists and is not a ${what} (${foreign !== undefined ? `it holds ${foreign}` : `no ${marker}`}): drover replaces only an earlier product; choose another -o, or remove it yourself`;
  }
  return undefined;
}

/** The first existing directory at or above `path`. */
function nearestExisting(path: string): string {
  let p = path;
  // (the root always exists)
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** What is at `out` (I/O for `outputRefusal`). */
export function existingAt(out: string): Existing {
  const parent = nearestExisting(dirname(out));
  let writableParent = false;
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
    writableParent = statSync(parent).isDirectory();
  } catch {
    writableParent = false;
  }
  if (!existsSync(out)) return { kind: "none", parent, writableParent };
  if (!statSync(out).isDirectory()) return { kind: "file", parent, writableParent };
  const entries = readdirSync(out, { withFileTypes: true });
  return { kind: "directory", files: entries.filter((e) => !e.isDirectory()).map((e) => e.name), empty: entries.length === 0, parent, writableParent };
}

/** A path with its existing part's symbolic links resolved, so that two names of one file compare equal. */
function real(path: string): string {
  const base = nearestExisting(path);
  const rest = relative(base, path);
  return rest === "" ? realpathSync.native(base) : join(realpathSync.native(base), rest);
}

/** The reports a one-shot command writes beside its output (validation report; the inventory when the files cannot be combined). */
export const sideFiles = (out: string): string[] => [`${out}.report.json`, `${out}.inventory.json`];

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** `outputRefusal` for the paths as they are on disk now. */
export function refusalOfOutput(out: string, kind: ProductKind, inputs: readonly string[]): string | undefined {
  return outputRefusal(real(out), kind, inputs.map(real), existingAt(out), sideFiles(out).filter(isDirectory));
}
