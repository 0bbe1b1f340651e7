import { attributesJson } from "../compute/zarr-metadata.js";
import type { KerchunkV1, Ref, VariableRefs } from "./types.js";

export interface RefsDataset {
  attributes: Record<string, unknown>;
  floatAttributes: string[];
  groups: string[];
  variables: VariableRefs[];
}

/** The Kerchunk v1 document: metadata keys hold JSON text, chunk keys hold references. */
export function toKerchunk(d: RefsDataset): KerchunkV1 {
  const refs: Record<string, Ref> = {};
  refs[".zgroup"] = JSON.stringify({ zarr_format: 2 });
  refs[".zattrs"] = attributesJson(d.attributes, d.floatAttributes);
  for (const g of d.groups) refs[`${g}/.zgroup`] = JSON.stringify({ zarr_format: 2 });
  for (const v of d.variables) {
    refs[`${v.name}/.zarray`] = JSON.stringify(v.zarray);
    refs[`${v.name}/.zattrs`] = attributesJson({ ...v.attributes, _ARRAY_DIMENSIONS: v.dimensions }, v.floatAttributes);
    const prefix = `${v.name}/`;
    const chunks = v.chunks;
    for (const k in chunks) refs[prefix + k] = chunks[k] as Ref;
  }
  return { version: 1, refs };
}
