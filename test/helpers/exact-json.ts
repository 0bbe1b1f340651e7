// JSON as Python writes it for the test's ground truth, read with 64-bit integers exact: an
// integer beyond 2^53 becomes a bigint (JSON.parse would round it to the nearest double), every
// other number stays a number. Written apart from drover's own parser so the truth does not
// depend on the code under test.

const MARK = "@exact-integer@";
/** An integer literal of 16 or more digits standing as a JSON value (after : , or [ and before , ] or }). */
const LONG_INTEGER = /([:,[]\s*)(-?[0-9]{16,})(?=\s*[,\]}])/g;
const LIMIT = 2n ** 53n - 1n;

export function parseExactJson(text: string): unknown {
  return JSON.parse(text.replace(LONG_INTEGER, (_m, before: string, digits: string) => `${before}"${MARK}${digits}"`), (_k, v: unknown) => {
    if (typeof v !== "string" || !v.startsWith(MARK)) return v;
    const b = BigInt(v.slice(MARK.length));
    return b >= -LIMIT && b <= LIMIT ? Number(b) : b;
  });
}
