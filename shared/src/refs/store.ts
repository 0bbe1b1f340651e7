import { closeSync, openSync, readSync } from "node:fs";
import { DroverError } from "../errors.js";
import type { KerchunkV1, Ref } from "./types.js";
import { urlPath } from "./urls.js";

// A read-only zarrita store over Kerchunk v1 references: metadata and inline chunks from the
// document, byte ranges read from local files ("file://" + the path, unescaped, or paths) with positional reads.

export interface RefsStore {
  get(key: string): Promise<Uint8Array | undefined>;
  close(): void;
}

const enc = new TextEncoder();

export function createRefsStore(doc: KerchunkV1, options: { resolve?: (url: string) => string } = {}): RefsStore {
  const fds = new Map<string, number>();
  const pathOf = options.resolve ?? urlPath;
  const fd = (url: string) => {
    let f = fds.get(url);
    if (f === undefined) {
      try {
        f = openSync(pathOf(url), "r");
      } catch (e) {
        throw new DroverError("ValidationError", `a reference points at ${url}, which cannot be opened: ${(e as Error).message}`);
      }
      fds.set(url, f);
    }
    return f;
  };
  return {
    async get(key: string) {
      const k = key.startsWith("/") ? key.slice(1) : key;
      const ref: Ref | undefined = doc.refs[k];
      if (ref === undefined) return undefined;
      if (typeof ref === "string") {
        if (ref.startsWith("base64:")) return new Uint8Array(Buffer.from(ref.slice(7), "base64"));
        return enc.encode(ref);
      }
      const [url, offset, length] = ref;
      if (offset === undefined || length === undefined) {
        const f = fd(url);
        const chunks: Buffer[] = [];
        const buf = Buffer.alloc(1 << 20);
        let pos = 0;
        for (;;) {
          const n = readSync(f, buf, 0, buf.length, pos);
          if (n === 0) break;
          chunks.push(Buffer.from(buf.subarray(0, n)));
          pos += n;
        }
        return new Uint8Array(Buffer.concat(chunks));
      }
      const out = new Uint8Array(length);
      const got = readSync(fd(url), out, 0, length, offset);
      if (got !== length) throw new DroverError("ValidationError", `reference ${k} wants bytes ${offset}..${offset + length} of ${url}, which has fewer`);
      return out;
    },
    close() {
      for (const f of fds.values()) closeSync(f);
      fds.clear();
    },
  };
}
