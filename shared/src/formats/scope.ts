// netCDF scoping of dimension names through groups: a variable of group "/a/b" sees the
// dimensions defined in "/a/b", then "/a", then "/" — the nearest first — so a group may define
// a dimension of a name its parent also uses.

/** The group holding an object: "/model/w" → "/model", "/t" → "/", "/" → "/". */
export function groupOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * The dimension named `name` as group `group` sees it. A dimension without a group is the
 * root's. When no group in scope defines the name, the first dimension of that name, if any.
 */
export function visibleDimension<D extends { name: string; group?: string | undefined }>(dims: readonly D[], group: string, name: string): D | undefined {
  for (let g = group; ; g = groupOf(g)) {
    const d = dims.find((x) => x.name === name && (x.group ?? "/") === g);
    if (d) return d;
    if (g === "/") return dims.find((x) => x.name === name);
  }
}
