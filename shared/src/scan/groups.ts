import type { FileInfo } from "../h5/describe.js";
import type { Issue } from "../schemas.js";
import type { ProductGroup } from "./inventory.js";
import { baseName as base } from "./file-names.js";

// The product's groups: every group of the first file (in concatenation order), empty ones
// included, with that file's attributes; a group that another file lacks or adds is a warning.


export function productGroups(ordered: readonly FileInfo[], issues: Issue[]): ProductGroup[] {
  const first = ordered[0];
  if (!first) return [];
  const paths = new Set(first.groups.map((g) => g.path));
  for (const f of ordered.slice(1)) {
    const own = new Set(f.groups.map((g) => g.path));
    for (const g of paths) {
      if (!own.has(g)) issues.push({ severity: "warning", code: "missing_group", message: `group ${g} of ${base(first.path)} is missing from ${base(f.path)}`, file: f.path });
    }
    for (const g of own) {
      if (!paths.has(g)) issues.push({ severity: "warning", code: "extra_group", message: `group ${g} is in ${base(f.path)} but not in ${base(first.path)}; it is left out`, file: f.path });
    }
  }
  return first.groups.map((g) => ({ name: g.path.slice(1), attributes: g.attributes, floatAttributes: g.floatAttributes }));
}
