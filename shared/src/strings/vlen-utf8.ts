// numcodecs' VLenUTF8 object codec (numcodecs 0.11), byte for byte: a little-endian uint32 count
// of items, then per item a little-endian uint32 byte length and the item's UTF-8 bytes.
// Kerchunk writes variable-length strings inline in this encoding, with `dtype: "|O"` and
// `filters: [{"id": "vlen-utf8"}]`; a Zarr copy writes its chunks the same way.

export const VLEN_UTF8_FILTER = { id: "vlen-utf8" } as const;

export function encodeVlenUtf8(items: readonly string[]): Uint8Array {
  const encoded = items.map((s) => Buffer.from(s, "utf8"));
  const out = Buffer.alloc(4 + encoded.reduce((n, b) => n + 4 + b.length, 0));
  out.writeUInt32LE(items.length, 0);
  let at = 4;
  for (const b of encoded) {
    out.writeUInt32LE(b.length, at);
    b.copy(out, at + 4);
    at += 4 + b.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function decodeVlenUtf8(bytes: Uint8Array): string[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.length < 4) throw new Error(`vlen-utf8 chunk of ${view.length} bytes has no item count`);
  const n = view.readUInt32LE(0);
  const out: string[] = [];
  let at = 4;
  for (let i = 0; i < n; i++) {
    if (at + 4 > view.length) throw new Error(`vlen-utf8 chunk ends before item ${i} of ${n}`);
    const len = view.readUInt32LE(at);
    if (at + 4 + len > view.length) throw new Error(`vlen-utf8 item ${i} of ${len} bytes runs past the chunk`);
    out.push(view.toString("utf8", at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
