import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { DroverError } from "./errors.js";

/** True when `path` is `root` or lies beneath it. Both must be absolute and normalised. */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function real(p: string): string {
  try {
    return realpathSync(p);
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
