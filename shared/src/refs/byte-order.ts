// Stored bytes from one byte order to another, element by element: a reference set declares one
// dtype, so bytes taken from files of different byte orders are brought to the declared one.

/** `bytes` stored as `from` ("<f8", ">i4", "|u1"…), rewritten in the byte order of `to` (a copy when swapped). */
export function toByteOrder(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const size = Number(from.slice(2)) || 1;
  const ordered = (t: string) => t[0] === "<" || t[0] === ">";
  if (size <= 1 || !ordered(from) || !ordered(to) || from[0] === to[0]) return bytes;
  const out = bytes.slice();
  for (let i = 0; i + size <= out.length; i += size) out.subarray(i, i + size).reverse();
  return out;
}
