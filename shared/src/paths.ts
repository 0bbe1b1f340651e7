import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DroverError } from "./errors.js";

/** True when `path` is `root` or lies beneath it. Both must be absolute and normalised. */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

// The C library's realpath (one call), not Node's JavaScript one (an lstat per component of the
// path): every path of every request and every source file is resolved, on the service's thread.
const realpath = realpathSync.native;

function real(p: string): string {
  try {
    return realpath(p);
  } catch {
    return resolve(p);
  }
}

// Roots come from configuration and are checked for every source file: resolve each once.
const realRoots = new Map<string, string>();
function realRoot(r: string): string {
  let hit = realRoots.get(r);
  if (hit === undefined) {
    hit = real(r);
    realRoots.set(r, hit);
  }
  return hit;
}

/**
 * Refuses a source path outside the allowed data roots. Symbolic links are resolved first,
 * so a link inside a root that points elsewhere is refused too.
 */
export function assertAllowed(path: string, roots: readonly string[], context = ""): string {
  const abs = resolve(path);
  const target = real(abs);
  if (roots.some((r) => isWithin(target, realRoot(r)))) return abs;
  throw new DroverError(
    "PathNotAllowedError",
    `${context}${abs}${target !== abs ? ` (links to ${target})` : ""} is outside the allowed data roots ` +
      `[${roots.join(", ")}]; move the data under one of them or add its directory to DROVER_DATA_ROOTS`,
    { file: abs },
  );
}

/**
 * The real path of `path` when it may not exist yet: its deepest existing ancestor resolved
 * (symbolic links followed), the rest appended. `..` is resolved first, so it cannot climb out.
 */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpath(head), ...rest.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return abs;
      rest.push(basename(head));
      head = up;
    }
  }
}

/**
 * Refuses a path from a message that is not under `root` once `..` and symbolic links are
 * resolved: `what` names the field, `setting` the variable that sets the root.
 */
export function assertUnder(path: string, root: string, what: string, setting: string): string {
  const target = realPathOf(path);
  if (isWithin(target, realPathOf(root))) return resolve(path);
  throw new DroverError(
    "PathNotAllowedError",
    `${what} ${path}${target !== resolve(path) ? ` (really ${target})` : ""} is outside ${root} (${setting}): refused; ` +
      `a request naming it was not made by this drover's state-tracker, or ${setting} differs between the services`,
    { file: path },
  );
}
