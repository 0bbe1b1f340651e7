// drover's own working files (the scan's inventory, the per-file reference cache) are standard
// JSON, which has no NaN or Infinity: JSON.stringify would turn a `missing_value = NaN` attribute
// into null. These keep such numbers as {"$number": "NaN" | "Infinity" | "-Infinity"}.

const TAG = "$number";
const names = new Map<number, string>([
  [Number.POSITIVE_INFINITY, "Infinity"],
  [Number.NEGATIVE_INFINITY, "-Infinity"],
]);
const values: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };

/** A JSON.stringify replacer that tags non-finite numbers. */
export function tagNonFinite(_key: string, v: unknown): unknown {
  if (typeof v !== "number" || Number.isFinite(v)) return v;
  return { [TAG]: Number.isNaN(v) ? "NaN" : names.get(v) };
}

/** The JSON.parse reviver that undoes tagNonFinite. */
export function untagNonFinite(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const name = (v as Record<string, unknown>)[TAG];
    if (keys.length === 1 && typeof name === "string" && name in values) return values[name];
  }
  return v;
}

/** A copy of `value` safe for JSON.stringify: non-finite numbers tagged. */
export function withNonFiniteTagged<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, tagNonFinite));
}
