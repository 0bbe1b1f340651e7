import type { FileInfo, VariableInfo } from "../h5/describe.js";
import { JsonFloat, type JsonValue } from "../json/python-json.js";
import type { AttrValue, ProjectConfig } from "../schemas.js";
import { attributeDifference, isNumber, sameSourceAttribute, shown } from "./attribute-compare.js";
import { note, type MetadataReport } from "./report.js";

// The product's attributes (its `.zattrs` documents, read as Python's zarr 2 reads them) against
// the sources': every attribute present on both sides, with the same value and the same kind.

/** A parsed `.zattrs` document as a record (empty when missing or not an object). */
export function zattrsOf(doc: JsonValue | undefined): Record<string, JsonValue> {
  return doc !== null && typeof doc === "object" && !Array.isArray(doc) && !(doc instanceof JsonFloat) ? doc : {};
}

const kindOf = (name: string, value: AttrValue | undefined, floats: readonly string[]) =>
  floats.includes(name) ? ("float" as const) : isNumber(value) || (Array.isArray(value) && value.some(isNumber)) ? ("integer" as const) : undefined;

const FILL_TOKENS: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };

/** A `.zarray`'s fill_value as exactly as its text says it ("NaN" → NaN; an integer beyond 2^53 a bigint), or null. */
export function zarrayFill(zarray: JsonValue | undefined): number | bigint | null {
  const doc = zattrsOf(zarray);
  const fill = doc["fill_value"];
  if (fill instanceof JsonFloat) return fill.value;
  if (typeof fill === "number" || typeof fill === "bigint") return fill;
  if (typeof fill === "string" && fill in FILL_TOKENS) return FILL_TOKENS[fill] as number;
  return null;
}

/** `fill`: the fill value of the product's `.zarray`, read from its text (zarrayFill). */
export function compareVariableAttributes(v: VariableInfo, product: Record<string, JsonValue>, fill: number | bigint | null, meta: MetadataReport): void {
  const key = v.path.slice(1);
  const zattrs = { ...product };
  delete zattrs["_ARRAY_DIMENSIONS"];
  const { _FillValue, ...source } = v.attributes;
  if (_FillValue !== undefined) {
    const why = attributeDifference(fill, _FillValue, undefined);
    if (why !== undefined) note(meta.attributes, key, "_FillValue", { type: "not_equal", zarr: shown(fill), source: shown(_FillValue), info: `fill_value: ${why}` });
  }
  for (const [k, val] of Object.entries(source)) {
    if (!(k in zattrs)) {
      note(meta.attributes, key, k, { type: "missing", info: "missing from zarr" });
      continue;
    }
    const why = attributeDifference(zattrs[k], val, kindOf(k, val, v.floatAttributes));
    if (why !== undefined) note(meta.attributes, key, k, { type: "not_equal", zarr: shown(zattrs[k]), source: shown(val), info: why });
  }
  for (const k of Object.keys(zattrs)) if (!(k in source)) note(meta.attributes, key, k, { type: "missing", info: "missing from source" });
}

export function compareGlobalAttributes(infos: FileInfo[], product: Record<string, JsonValue>, config: ProjectConfig, meta: MetadataReport): void {
  const first = infos[0] as FileInfo;
  const updates = config.updates ?? {};
  const removals = new Set(config.removals ?? []);
  for (const [k, val] of Object.entries(first.attributes)) {
    if (k in updates || removals.has(k)) {
      meta.skipped[`global.${k}`] = k in updates ? "set by updates" : "removed by removals";
      continue;
    }
    if (infos.some((f) => !sameSourceAttribute(f.attributes[k], val))) {
      meta.skipped[`global.${k}`] = "differs between source files; the product keeps the earliest file's value";
      continue;
    }
    if (!(k in product)) {
      note(meta.attributes, "global", k, { type: "missing", info: "missing from zarr" });
      continue;
    }
    const why = attributeDifference(product[k], val, kindOf(k, val, first.floatAttributes));
    if (why !== undefined) note(meta.attributes, "global", k, { type: "not_equal", zarr: shown(product[k]), source: shown(val), info: why });
  }
  for (const [k, val] of Object.entries(updates)) {
    const why = attributeDifference(product[k], val, undefined);
    if (why !== undefined) note(meta.attributes, "global", k, { type: "not_equal", zarr: shown(product[k]), expected: shown(val), info: `updates not applied: ${why}` });
  }
  for (const k of Object.keys(product)) {
    if (!(k in first.attributes) && !(k in updates)) note(meta.attributes, "global", k, { type: "missing", info: "missing from source" });
  }
}
