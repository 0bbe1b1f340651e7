import { JsonFloat, type JsonValue } from "../json/python-json.js";
import type { AttrValue } from "../schemas.js";

// An attribute of the product (as Python reads its JSON: floats marked JsonFloat, integers plain)
// against the source's value, exactly: NaN equals NaN, nothing else is forgiven, and a float
// attribute must still be a float (Python reads 0 as int, 0.0 as float), an integer an integer.

type Kind = "float" | "integer" | undefined;

const sameNumber = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

const asBigInt = (x: number | bigint): bigint | undefined => (typeof x === "bigint" ? x : Number.isInteger(x) ? BigInt(x) : undefined);

/**
 * Whether the product's number is the source's. A source bigint (a 64-bit integer beyond 2^53) is
 * compared exactly; a source number as the double it is (the product's text may spell a large
 * float such as 1e20f as an integer, which Python reads back to the same float).
 */
export function sameAsSource(product: number | bigint, source: number | bigint): boolean {
  if (typeof source === "number") return sameNumber(Number(product), source);
  return asBigInt(product) === source;
}

/** Exact equality of two sources' numbers: a bigint never equals a number (the readers give a bigint only beyond 2^53). */
const sameSourceNumber = (a: number | bigint, b: number | bigint): boolean => (typeof a === "number" && typeof b === "number" ? sameNumber(a, b) : a === b);

/** A number of either kind (a bigint: a 64-bit integer beyond 2^53). */
export const isNumber = (x: unknown): x is number | bigint => typeof x === "number" || typeof x === "bigint";

/** A value as the reports show it: NaN and the infinities as strings (JSON has no spelling for them). */
export function shown(v: unknown): unknown {
  if (v instanceof JsonFloat) return shown(v.value);
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (Array.isArray(v)) return v.map(shown);
  if (typeof v === "bigint") return v.toString();
  return v === undefined ? null : v;
}

function numberDifference(product: JsonValue | undefined, source: number | bigint, kind: Kind): string | undefined {
  const isFloat = product instanceof JsonFloat;
  if (!isFloat && !isNumber(product)) return `${JSON.stringify(shown(source))} in the source, ${JSON.stringify(shown(product))} in the product`;
  const value = isFloat ? product.value : product;
  if (!sameAsSource(value, source)) return `${JSON.stringify(shown(source))} in the source, ${JSON.stringify(shown(value))} in the product`;
  if (kind === "float" && !isFloat) return `a float in the source, the integer ${value.toString()} in the product (Python reads it as int)`;
  if (kind === "integer" && isFloat) return `an integer in the source, a float in the product`;
  return undefined;
}

/**
 * Why the product's attribute differs from the source's, or undefined when it does not. `kind`
 * says whether the source stores the number as a float or an integer (undefined: not known, e.g.
 * a value from the project's updates, and only the value is compared).
 */
export function attributeDifference(product: JsonValue | undefined, source: AttrValue | undefined, kind: Kind): string | undefined {
  if (isNumber(source)) return numberDifference(product, source, kind);
  if (Array.isArray(source)) {
    if (!Array.isArray(product) || product.length !== source.length) return `${JSON.stringify(shown(source))} in the source, ${JSON.stringify(shown(product))} in the product`;
    for (let i = 0; i < source.length; i++) {
      const s = source[i];
      const why = isNumber(s) ? numberDifference(product[i], s, kind) : product[i] === s ? undefined : `${JSON.stringify(s)} in the source, ${JSON.stringify(shown(product[i]))} in the product`;
      if (why !== undefined) return `element ${i}: ${why}`;
    }
    return undefined;
  }
  if (product === source) return undefined;
  return `${JSON.stringify(shown(source))} in the source, ${JSON.stringify(shown(product))} in the product`;
}

/** Exact equality of two source attribute values (NaN equals NaN). */
export function sameSourceAttribute(a: AttrValue | undefined, b: AttrValue | undefined): boolean {
  if (isNumber(a) && isNumber(b)) return sameSourceNumber(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => { const y = b[i]; return isNumber(x) && isNumber(y) ? sameSourceNumber(x, y) : x === y; });
  }
  return a === b;
}
