// h5wasm decodes strings whose HDF5 character set is ASCII with TextDecoder("ascii") — which is
// windows-1252 — for fixed-length strings, and byte by byte (Latin-1) for variable-length ones.
// netCDF-C stores NC_CHAR text (units such as "µg/m3") as fixed-length ASCII-set strings holding
// UTF-8 bytes, and netCDF4-python reads them as UTF-8: so does drover, by recovering the bytes
// (both decodings are one-to-one over the 256 byte values) and decoding them as UTF-8.

const windows1252 = new TextDecoder("ascii");
const byteOf1252 = new Map<string, number>();
for (let b = 0; b < 256; b++) byteOf1252.set(windows1252.decode(Uint8Array.of(b)), b);
const utf8 = new TextDecoder("utf-8");

/** The text h5wasm returned for an ASCII-set string, read as the UTF-8 its bytes hold. */
export function utf8FromH5wasm(text: string, vlen: boolean): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  const bytes = Uint8Array.from(text, (c) => (vlen ? c.charCodeAt(0) & 0xff : (byteOf1252.get(c) ?? 0x3f)));
  return utf8.decode(bytes);
}
