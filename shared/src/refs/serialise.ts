import { attributesJson } from "../compute/zarr-metadata.js";
import { asciiJsonText, pythonJson } from "../json/python-json.js";
import type { GroupRefs, KerchunkV1, Ref, VariableRefs } from "./types.js";

export interface RefsDataset {
  attributes: Record<string, unknown>;
  floatAttributes: string[];
  groups: GroupRefs[];
  variables: VariableRefs[];
}

/** The Kerchunk v1 document: metadata keys hold JSON text (as Python's zarr 2 reads it), chunk keys hold references. */
export function toKerchunk(d: RefsDataset): KerchunkV1 {
  const refs: Record<string, Ref> = {};
  refs[".zgroup"] = pythonJson({ zarr_format: 2 });
  refs[".zattrs"] = attributesJson(d.attributes, d.floatAttributes);
  for (const g of d.groups) {
    refs[`${g.name}/.zgroup`] = pythonJson({ zarr_format: 2 });
    refs[`${g.name}/.zattrs`] = attributesJson(g.attributes, g.floatAttributes);
  }
  for (const v of d.variables) {
    refs[`${v.name}/.zarray`] = pythonJson(v.zarray);
    refs[`${v.name}/.zattrs`] = attributesJson({ ...v.attributes, _ARRAY_DIMENSIONS: v.dimensions }, v.floatAttributes);
    const prefix = `${v.name}/`;
    const chunks = v.chunks;
    for (const k in chunks) refs[prefix + k] = chunks[k] as Ref;
  }
  return { version: 1, refs };
}

/** True when every reference is text or a list of text and whole numbers: JSON.stringify then writes what Python's json would, but for non-ASCII. */
function plainRefs(doc: KerchunkV1): boolean {
  for (const k in doc.refs) {
    const r = doc.refs[k];
    if (typeof r === "string") continue;
    if (!Array.isArray(r)) return false;
    for (const x of r as unknown[]) if (typeof x !== "string" && !Number.isSafeInteger(x)) return false;
  }
  return true;
}

/**
 * The text of a Kerchunk JSON file: ASCII throughout (paths included), like everything else drover
 * hands to Python. Plain references (text, [url, offset, length]) go through the engine's own JSON
 * writer and then have their non-ASCII characters escaped, which gives the general writer's text
 * faster; anything else, such as a float, takes the general writer.
 */
export function kerchunkJson(doc: KerchunkV1): string {
  return Object.keys(doc).length === 2 && plainRefs(doc) ? asciiJsonText(JSON.stringify(doc)) : pythonJson(doc);
}
