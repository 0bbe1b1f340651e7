import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../fsutil.js";
import type { FileLayout } from "../formats/layout.js";
import { tagNumbers, untagNumbers } from "../json/tagged-numbers.js";
import type { FileRefs } from "./types.js";

// Per-file references cached in the project's work directory, keyed by the file's path, size and
// modification time (and the reader's version): a retry or a recompute reuses them; a rewritten
// file gets new ones. Version 2: NaN and infinite attribute values are kept (version 1 stored null). Version 3: groups carry their attributes. Version 4: char, string and enum variables are carried. Version 5: URLs are "file://" + the path unescaped (fsspec does not decode them). Version 6: 64-bit integers beyond 2^53 kept exactly (tagged {"$number": digits}); an unlimited dimension as long as its longest variable; a trailing fletcher32 checksum left out of the references.

export const CACHE_VERSION = 6;

interface Cached {
  version: number;
  layout: FileLayout;
  refs: FileRefs;
}

export function cacheKey(path: string, size: number, mtimeMs: number, inlineThreshold: number): string {
  return createHash("sha256").update(JSON.stringify([CACHE_VERSION, path, size, mtimeMs, inlineThreshold])).digest("hex").slice(0, 32);
}

/** Compact storage bytes become base64 in JSON and come back as bytes; NaN and infinities are tagged. */
function replacer(k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString("base64") } : tagNumbers(k, v);
}

function reviver(k: string, v: unknown): unknown {
  if (v && typeof v === "object" && "$bytes" in v && typeof (v as { $bytes: unknown }).$bytes === "string") {
    return new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, "base64"));
  }
  return untagNumbers(k, v);
}

export function readCached(dir: string, key: string): { layout: FileLayout; refs: FileRefs } | undefined {
  const p = join(dir, `${key}.json`);
  if (!existsSync(p)) return undefined;
  try {
    const c = JSON.parse(readFileSync(p, "utf8"), reviver) as Cached;
    return c.version === CACHE_VERSION ? { layout: c.layout, refs: c.refs } : undefined;
  } catch {
    return undefined; // a damaged cache entry is simply rebuilt
  }
}

export function writeCached(dir: string, key: string, layout: FileLayout, refs: FileRefs): void {
  writeJsonAtomic(join(dir, `${key}.json`), JSON.parse(JSON.stringify({ version: CACHE_VERSION, layout, refs }, replacer)));
}
