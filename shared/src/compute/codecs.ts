import { deflateSync, inflateSync } from "node:zlib";
import * as zarr from "zarrita";
import { checkFletcher32, fletcher32 } from "../refs/filters.js";

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

let registered = false;

/** Makes zarrita able to write zlib-compressed chunks. Idempotent. */
export function registerEncoders(): void {
  if (registered) return;
  const entry = async () => ZlibCodec as never;
  zarr.registry.set("zlib", entry);
  zarr.registry.set("numcodecs.zlib", entry);
  const f32 = async () => Fletcher32Codec as never;
  zarr.registry.set("fletcher32", f32);
  zarr.registry.set("numcodecs.fletcher32", f32);
  registered = true;
}
