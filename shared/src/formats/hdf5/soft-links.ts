// Soft links name a path that is looked up when the link is used: from the root group when it
// starts with "/", else from the group holding the link. A path that names no object makes a
// dangling link, which HDF5 allows and which names nothing to read.

import { UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { groupLinks, isGroup, type Link } from "./links.js";
import { readObjectHeader } from "./object-header.js";

/** Soft links followed within one lookup before giving up (HDF5's own default limit). */
const MAX_SOFT_LINKS = 16;

function linksOf(file: Hdf5File, address: number): Link[] | undefined {
  const header = readObjectHeader(file, address);
  if (!isGroup(header)) return undefined;
  return file.memo("group links", address, () => groupLinks(file, header));
}

/**
 * The object header address that `target` names, looked up from the group at `from`; undefined
 * when the path leads nowhere in this file (a missing member, a member of something that is not
 * a group, an external link on the way, or too many soft links in a row).
 */
export function resolveSoftLink(file: Hdf5File, from: number, target: string, followed = 0): number | undefined {
  if (followed >= MAX_SOFT_LINKS || target === "") return undefined;
  let at = target.startsWith("/") ? file.rootAddress : from;
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    const link = linksOf(file, at)?.find((l) => l.name === part);
    if (!link) return undefined;
    if (link.kind === "hard" && link.address !== UNDEF) at = link.address;
    else if (link.kind === "soft") {
      const next = resolveSoftLink(file, at, link.target ?? "", followed + 1);
      if (next === undefined) return undefined;
      at = next;
    } else return undefined;
  }
  return at;
}
