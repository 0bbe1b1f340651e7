import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";

// The flock directory as the shepherd sees it: each group file with its content hash, and whether
// a `.shpignore` takes the group out of the shepherd's hands. A group is either a top-level
// `<group>.csv` (ignored by `<group>.shpignore` beside it) or a directory `<group>/` holding
// one `.csv` (ignored by `<group>/.shpignore`). `completed/` and dot-entries are not groups.

export interface FlockEntry {
  group: string;
  file: string;
  /** sha256 of the content, or undefined when the file could not be read. */
  hash: string | undefined;
  size: number;
  ignored: boolean;
  /** Why the entry is unusable (two CSV files in one group directory, an unreadable file). */
  problem?: string;
}

export const COMPLETED = "completed";

const hashOf = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function look(group: string, file: string, ignored: boolean): FlockEntry {
  try {
    const bytes = readFileSync(file);
    return { group, file, hash: hashOf(bytes), size: bytes.length, ignored };
  } catch (e) {
    return { group, file, hash: undefined, size: 0, ignored, problem: `cannot read ${file}: ${(e as Error).message}` };
  }
}

export function listFlock(flockDir: string): FlockEntry[] {
  const out: FlockEntry[] = [];
  for (const name of readdirSync(flockDir).sort()) {
    if (name.startsWith(".") || name === COMPLETED) continue;
    const path = join(flockDir, name);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue; // gone since the listing
    }
    if (!isDir) {
      if (!name.endsWith(".csv")) continue;
      const group = basename(name, ".csv");
      out.push(look(group, path, existsSync(join(flockDir, `${group}.shpignore`))));
      continue;
    }
    const csvs = readdirSync(path).filter((f) => f.endsWith(".csv") && !f.startsWith("."));
    const ignored = existsSync(join(path, ".shpignore"));
    if (csvs.length === 1) out.push(look(name, join(path, csvs[0] as string), ignored));
    else if (csvs.length > 1) out.push({ group: name, file: path, hash: undefined, size: 0, ignored, problem: `group directory ${path} holds ${csvs.length} CSV files (${csvs.join(", ")}); keep one group file per directory` });
  }
  // `alpha.csv` beside `alpha/`: one group name, two files; neither is taken until one goes.
  const seen = new Map<string, number>();
  for (const e of out) seen.set(e.group, (seen.get(e.group) ?? 0) + 1);
  return out.map((e) =>
    (seen.get(e.group) ?? 0) > 1 ? { ...e, hash: undefined, problem: `two group files are named ${e.group} in ${flockDir} (${e.group}.csv and ${e.group}/): rename or remove one` } : e,
  );
}

/**
 * Files still being written are not read: an entry is settled when it was seen with the same
 * size and hash at least `settleMs` ago. Pure: `seen` is the caller's memory of earlier looks.
 */
export function settled(entry: FlockEntry, seen: Map<string, { hash: string; since: number }>, now: number, settleMs: number): boolean {
  if (entry.hash === undefined) return false;
  const before = seen.get(entry.file);
  if (!before || before.hash !== entry.hash) {
    seen.set(entry.file, { hash: entry.hash, since: now });
    return settleMs === 0;
  }
  return now - before.since >= settleMs;
}
