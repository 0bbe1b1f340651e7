import type { FileInfo } from "../h5/describe.js";
import type { JsonValue } from "../json/python-json.js";
import type { AttrValue } from "../schemas.js";
import { attributeDifference, isNumber, sameSourceAttribute, shown } from "./attribute-compare.js";
import { note, type MetadataReport } from "./report.js";

// Every group of the sources must be in the product, with its attributes; a group the product
// lacks (or has but the sources do not) and an attribute missing or different are warnings,
// which keep the project from being Validated until someone accepts them.

const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);

const isNumeric = (v: AttrValue | undefined) => isNumber(v) || (Array.isArray(v) && v.some(isNumber));

/**
 * `product`: for each group of the first source (by key, its path without the leading "/"), the
 * attributes of the product's `.zattrs` (as Python reads them), or undefined where the product has
 * no such group; `extra`: groups of the product that the first source does not have.
 */
export function compareGroups(
  infos: readonly FileInfo[],
  product: ReadonlyMap<string, Record<string, JsonValue> | undefined>,
  extra: readonly string[],
  meta: MetadataReport,
): void {
  const first = infos[0];
  if (!first) return;
  for (const g of first.groups) {
    const name = g.path.slice(1);
    const attrs = product.get(name);
    if (attrs === undefined) {
      note({ groups: meta.groups }, "groups", name, { type: "missing", info: "missing from zarr" });
      continue;
    }
    for (const [k, val] of Object.entries(g.attributes)) {
      if (infos.some((f) => !sameSourceAttribute(f.groups.find((x) => x.path === g.path)?.attributes[k], val))) {
        meta.skipped[`${name}.${k}`] = "differs between source files; the product keeps the earliest file's value";
        continue;
      }
      if (!(k in attrs)) {
        note(meta.attributes, name, k, { type: "missing", info: "missing from zarr" });
        continue;
      }
      const why = attributeDifference(attrs[k], val, g.floatAttributes.includes(k) ? "float" : isNumeric(val) ? "integer" : undefined);
      if (why !== undefined) note(meta.attributes, name, k, { type: "not_equal", zarr: shown(attrs[k]), source: shown(val), info: why });
    }
    for (const k of Object.keys(attrs)) if (!(k in g.attributes)) note(meta.attributes, name, k, { type: "missing", info: "missing from source" });
  }
  for (const name of extra) note({ groups: meta.groups }, "groups", name, { type: "missing", info: `missing from ${base(first.path)}` });
}

/** Groups named by metadata keys ("a/b/.zgroup") that the first source does not have. */
export function extraGroups(keys: readonly string[], first: FileInfo): string[] {
  const known = new Set(first.groups.map((g) => g.path.slice(1)));
  return keys
    .filter((k) => k.endsWith("/.zgroup"))
    .map((k) => k.slice(0, -"/.zgroup".length))
    .filter((n) => !known.has(n));
}
