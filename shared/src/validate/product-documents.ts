import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RefsStore } from "../refs/store.js";
import type { KerchunkV1 } from "../refs/types.js";
import { isMetadataKey } from "./metadata-documents.js";

// The bytes of every metadata document of a product, exactly as a reader gets them: from a Zarr
// store's files, from Kerchunk JSON's metadata keys (through the references, as fsspec hands them
// to zarr), or a Parquet reference set's `.zmetadata` file.

export async function readProductDocuments(product: string, refs?: { doc: KerchunkV1; store: RefsStore }): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (refs) {
    for (const key of Object.keys(refs.doc.refs).filter(isMetadataKey)) {
      const bytes = await refs.store.get(key);
      if (bytes) out.set(key, bytes);
    }
    return out;
  }
  if (product.endsWith(".parq")) {
    out.set(".zmetadata", new Uint8Array(readFileSync(join(product, ".zmetadata"))));
    return out;
  }
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (isMetadataKey(e.name)) out.set(`${prefix}${e.name}`, new Uint8Array(readFileSync(join(dir, e.name))));
    }
  };
  walk(product, "");
  return out;
}
