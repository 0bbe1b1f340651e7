// Byte sources for hostile-input tests of the layout readers.

import type { ByteSource } from "../../shared/src/formats/byte-source.js";

/**
 * `bytes` as the start of a file of a terabyte (zeros after them): what a corrupt size field in a
 * large archive file looks like. Refuses, as a plain Error, any read that would allocate > 16 MB.
 */
export function terabyteSource(bytes: Uint8Array, path: string): ByteSource {
  return {
    path,
    size: 2 ** 40,
    bytesRead: 0,
    close() {},
    read(offset, length) {
      if (length > 16 * 1024 * 1024) throw new Error(`a read of ${length} bytes at once`);
      const out = new Uint8Array(length);
      out.set(bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)));
      return out;
    },
  };
}
