import { deflateSync, inflateSync } from "node:zlib";
import * as zarr from "zarrita";

// zarrita's gzip and zlib codecs decode only; drover writes Zarr, so it registers node:zlib
// encoders under the numcodecs ids Zarr v2 metadata names ("zlib" is zlib-wrapped deflate).

class ZlibCodec {
  readonly kind = "bytes_to_bytes" as const;
  constructor(private readonly level: number) {}
  static fromConfig(config: unknown): ZlibCodec {
    const level = (config as { level?: unknown } | undefined)?.level;
    return new ZlibCodec(typeof level === "number" ? level : 1);
  }
  encode(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(deflateSync(bytes, { level: this.level }));
  }
  decode(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(inflateSync(bytes));
  }
}

let registered = false;

/** Makes zarrita able to write zlib-compressed chunks. Idempotent. */
export function registerEncoders(): void {
  if (registered) return;
  const entry = async () => ZlibCodec as never;
  zarr.registry.set("zlib", entry);
  zarr.registry.set("numcodecs.zlib", entry);
  registered = true;
}
