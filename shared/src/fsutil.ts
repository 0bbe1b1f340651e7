import { randomUUID } from "node:crypto";
import { type Dirent, type Stats, cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync, lstatSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DroverError } from "./errors.js";

// Nothing half-written: every file and directory drover publishes is written under a temporary
// name beside its destination and renamed into place when complete.

/** A temporary path beside `target`, on the same filesystem so that rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${randomUUID().slice(0, 8)}`);
}

/** The names `tempPathFor` makes: ".<name>.tmp-<8 hex digits>". */
const TEMP_NAME = /^\..+\.tmp-[0-9a-f]{8}$/;

export function isTemporaryName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** The latest change time under a directory (at most `budget` entries looked at; past that it counts as new). */
function newestChange(dir: string, own: number, budget = { left: 20_000 }): number {
  let newest = own;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return newest;
  }
  for (const name of names) {
    if (--budget.left < 0) return Number.POSITIVE_INFINITY;
    try {
      const st = lstatSync(join(dir, name));
      newest = Math.max(newest, st.isDirectory() ? newestChange(join(dir, name), st.mtimeMs, budget) : st.mtimeMs);
    } catch {
      // gone meanwhile
    }
  }
  return newest;
}

/**
 * Removes what atomic writes cut short left behind: entries of `dir` (and of its subdirectories,
 * down to `depth` levels) named like `tempPathFor`'s and last changed more than `olderThanMs`
 * ago. A write in progress is younger than that and is left alone. Never follows symbolic links.
 * Returns the paths removed; an entry that cannot be read or removed is skipped.
 */
export function sweepTemporaries(dir: string, olderThanMs: number, depth = 0, now = Date.now()): string[] {
  const removed: string[] = [];
  let entries: Dirent[];
  try {
    // Names and types only: a group's complete directory holds an entry a project, and looking
    // at each one's times on every batch of a completion made publishing quadratic.
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      if (TEMP_NAME.test(entry.name)) {
        const st = lstatSync(path);
        // A directory being filled (a Zarr copy) is as young as the newest entry in it.
        if (now - (st.isDirectory() ? newestChange(path, st.mtimeMs) : st.mtimeMs) >= olderThanMs) {
          rmSync(path, { recursive: true, force: true });
          removed.push(path);
        }
      } else if (depth > 0 && entry.isDirectory()) {
        removed.push(...sweepTemporaries(path, olderThanMs, depth - 1, now));
      }
    } catch {
      // gone meanwhile, or not ours to read: left alone
    }
  }
  return removed;
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    writeFileSync(tmp, data);
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Moves a finished directory (or file) `from` to `target`, replacing what was there: the old copy
 * is renamed aside first and removed only after the new one is in place. A directory never
 * replaces a file, nor a file a directory: that is refused, and nothing is moved.
 */
export function replaceDir(from: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  let aside: string | undefined;
  const old = lstatIfAny(target);
  if (old !== undefined) {
    const isDir = lstatSync(from).isDirectory();
    if (!old.isSymbolicLink() && old.isDirectory() !== isDir) {
      // Never intended: e.g. an inventory kept as out.json.inventory.json where a directory of that name stands.
      throw new DroverError("PathNotAllowedError", `${target} is ${old.isDirectory() ? "a directory" : "a file"}, and drover would replace it with ${isDir ? "a directory" : "a file"}: refused; move it away or choose another output name`, { file: target });
    }
    aside = tempPathFor(target);
    renameSync(target, aside);
  }
  try {
    renameSync(from, target);
  } catch (e) {
    if (aside) renameSync(aside, target);
    throw e;
  }
  if (aside) rmSync(aside, { recursive: true, force: true });
}

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Copies a directory (or file) to `target` through a temporary name; replaces an older copy. */
export function copyAtomic(source: string, target: string): void {
  const tmp = tempPathFor(target);
  try {
    cpSync(source, tmp, { recursive: true, errorOnExist: true, force: false });
    replaceDir(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
