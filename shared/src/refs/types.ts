// Kerchunk version 1 references, structured while drover works on them and serialised at the end:
// a reference is inline data ("base64:…" or JSON text), a whole file [url], or a byte range
// [url, offset, length].

export type Ref = string | [string] | [string, number, number];

export interface ZArrayMeta {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: null;
  filters: Array<{ id: string; [k: string]: unknown }> | null;
  fill_value: number | bigint | string | null;
  order: "C";
}

export interface VariableRefs {
  /** Key in the store: the HDF5 path without its leading "/". */
  name: string;
  dimensions: string[];
  zarray: ZArrayMeta;
  /** Attributes without _FillValue (it is the Zarr fill_value). */
  attributes: Record<string, unknown>;
  floatAttributes: string[];
  /** Chunk key ("0.3.1") → reference. */
  chunks: Record<string, Ref>;
}

/** A group below the root: its `.zgroup` and `.zattrs`, written even when it holds no variables. */
export interface GroupRefs {
  /** Key in the store: the HDF5 path without its leading "/". */
  name: string;
  attributes: Record<string, unknown>;
  floatAttributes: string[];
}

export interface FileRefs {
  url: string;
  attributes: Record<string, unknown>;
  floatAttributes: string[];
  groups: GroupRefs[];
  variables: VariableRefs[];
}

export interface KerchunkV1 {
  version: 1;
  refs: Record<string, Ref>;
}
