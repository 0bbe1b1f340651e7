import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

// Nothing half-written: every file and directory drover publishes is written under a temporary
// name beside its destination and renamed into place when complete.

/** A temporary path beside `target`, on the same filesystem so that rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${randomUUID().slice(0, 8)}`);
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
 * Moves a finished directory `from` to `target`, replacing what was there: the old copy is
 * renamed aside first and removed only after the new one is in place.
 */
export function replaceDir(from: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  let aside: string | undefined;
  if (existsSync(target)) {
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
