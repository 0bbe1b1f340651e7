// drover's own working files (the scan's inventory, the per-file reference cache) are standard
// JSON, which has no NaN or Infinity and no integers beyond 2^53: JSON.stringify would turn a
// `missing_value = NaN` attribute into null and throws on a 64-bit `_FillValue` kept as a bigint.
// These keep such numbers as {"$number": "NaN" | "Infinity" | "-Infinity" | "<integer digits>"}.

const TAG = "$number";
const names = new Map<number, string>([
  [Number.POSITIVE_INFINITY, "Infinity"],
  [Number.NEGATIVE_INFINITY, "-Infinity"],
]);
const values: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };
const INTEGER = /^-?[0-9]+$/;

/** A JSON.stringify replacer that tags non-finite numbers and bigints. */
export function tagNumbers(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return { [TAG]: v.toString() };
  if (typeof v !== "number" || Number.isFinite(v)) return v;
  return { [TAG]: Number.isNaN(v) ? "NaN" : names.get(v) };
}

/** The JSON.parse reviver that undoes tagNumbers. */
export function untagNumbers(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const name = (v as Record<string, unknown>)[TAG];
    if (keys.length === 1 && typeof name === "string") {
      if (name in values) return values[name];
      if (INTEGER.test(name)) return BigInt(name);
    }
  }
  return v;
}

/** A copy of `value` safe for JSON.stringify: non-finite numbers and bigints tagged. */
export function withNumbersTagged<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, tagNumbers));
}

/** JSON text of a value that may hold bigints, for comparing values by their text. */
export function comparableText(value: unknown): string {
  return JSON.stringify(value, tagNumbers) ?? "undefined";
}
