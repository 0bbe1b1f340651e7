import { deflateSync, inflateSync } from "node:zlib";
import * as zarr from "zarrita";
import { checkFletcher32, fletcher32 } from "../refs/filters.js";
import { decodeVlenUtf8, encodeVlenUtf8 } from "../strings/vlen-utf8.js";

// zarrita's gzip and zlib codecs decode only; drover writes Zarr, so it registers node:zlib
// encoders under the numcodecs ids Zarr v2 metadata names ("zlib" is zlib-wrapped deflate), and
// HDF5's fletcher32 checksum filter, which references to netCDF4 files may name.

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

/** HDF5's fletcher32 filter as a numcodecs codec: a 4-byte checksum after the data, checked on decode. */
class Fletcher32Codec {
  readonly kind = "bytes_to_bytes" as const;
  static fromConfig(): Fletcher32Codec {
    return new Fletcher32Codec();
  }
  encode(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes.length + 4);
    out.set(bytes);
    new DataView(out.buffer).setUint32(bytes.length, fletcher32(bytes), true);
    return out;
  }
  decode(bytes: Uint8Array): Uint8Array {
    return checkFletcher32(bytes, "fletcher32 chunk");
  }
}

/**
 * numcodecs' vlen-utf8 (variable-length strings). zarrita's own decoder reads from the start of
 * the chunk's underlying buffer, which is wrong for a chunk that is a view into a larger one (as
 * the Parquet reference store hands them out); this one decodes the view it is given.
 */
class VlenUtf8Codec {
  readonly kind = "array_to_bytes" as const;
  constructor(private readonly shape: number[]) {}
  static fromConfig(_config: unknown, meta: { shape: number[] }): VlenUtf8Codec {
    return new VlenUtf8Codec(meta.shape);
  }
  encode(chunk: { data: string[] }): Uint8Array {
    return encodeVlenUtf8(chunk.data);
  }
  decode(bytes: Uint8Array): { data: string[]; shape: number[]; stride: number[] } {
    const stride = this.shape.map((_, a) => this.shape.slice(a + 1).reduce((p, x) => p * x, 1));
    return { data: decodeVlenUtf8(bytes), shape: this.shape, stride };
  }
}

let registered = false;

/** Makes zarrita able to write zlib-compressed chunks (and read vlen-utf8 ones from any store). Idempotent. */
export function registerEncoders(): void {
  if (registered) return;
  const entry = async () => ZlibCodec as never;
  zarr.registry.set("zlib", entry);
  zarr.registry.set("numcodecs.zlib", entry);
  const f32 = async () => Fletcher32Codec as never;
  zarr.registry.set("fletcher32", f32);
  zarr.registry.set("numcodecs.fletcher32", f32);
  const vlen = async () => VlenUtf8Codec as never;
  zarr.registry.set("vlen-utf8", vlen);
  zarr.registry.set("numcodecs.vlen-utf8", vlen);
  registered = true;
}
