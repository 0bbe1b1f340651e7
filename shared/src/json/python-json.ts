// JSON text as zarr-python 2 writes Zarr v2 metadata (Python's json.dumps with ensure_ascii and
// allow_nan, its defaults) and as it reads it back (bytes decoded as ASCII, then json.loads):
// ASCII only, every other character escaped as \uXXXX exactly as json.dumps escapes it, and NaN,
// Infinity and -Infinity as bare tokens. Every metadata document drover writes (.zgroup, .zattrs,
// .zarray, Kerchunk references, Parquet .zmetadata) goes through this one serialiser.

/** A number written as a float whatever its value: 0.0 stays 0.0, not the integer 0. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** A JSON value as drover handles it: numbers marked JsonFloat are floats, plain numbers integers unless fractional or non-finite. */
export type JsonValue = string | number | bigint | boolean | null | JsonFloat | JsonValue[] | { [key: string]: JsonValue };

const NON_ASCII = /[\u007f-\uffff]/g;
/** Characters a string literal cannot hold as they are: quote, backslash, controls, DEL and beyond. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/**
 * JSON text (as JSON.stringify writes it) with every character beyond ASCII escaped as Python's
 * json.dumps escapes it. Outside string literals JSON has only ASCII, so the whole text may be
 * escaped at once.
 */
export function asciiJsonText(json: string): string {
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A JSON string literal in ASCII, as Python's json.dumps writes it (lowercase \u escapes, surrogate pairs for astral characters). */
export function quote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return asciiJsonText(JSON.stringify(s));
}

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return undefined;
}

function numberText(x: number): string {
  return nonFinite(x) ?? JSON.stringify(x);
}

/** A float's text: always with a decimal point or exponent (Python reads "0" as int, "0.0" as float). */
export function floatText(x: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  if (Object.is(x, -0)) return "-0.0";
  const s = JSON.stringify(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function write(value: unknown, indent: string, depth: number): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return numberText(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value instanceof JsonFloat) return floatText(value.value);
  const open = indent === "" ? "" : `\n${indent.repeat(depth + 1)}`;
  const close = indent === "" ? "" : `\n${indent.repeat(depth)}`;
  const sep = indent === "" ? "," : `,${open}`;
  const colon = indent === "" ? ":" : ": ";
  let out = "";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : sep) + (write(value[i], indent, depth + 1) ?? "null");
    return `[${open}${out}${close}]`;
  }
  let first = true;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const text = write((value as Record<string, unknown>)[k], indent, depth + 1);
    if (text === undefined) continue;
    out += `${first ? "" : sep}${quote(k)}${colon}${text}`;
    first = false;
  }
  return first ? "{}" : `{${open}${out}${close}}`;
}

/**
 * `value` as ASCII JSON text that Python's json module (and so zarr-python 2) reads back as
 * the same value: compact like JSON.stringify(value), or with `indent` > 0 every member on its
 * own line like JSON.stringify(value, null, indent).
 */
export function pythonJson(value: unknown, indent = 0): string {
  return write(value, " ".repeat(indent), 0) ?? "null";
}

/** Numbers (and arrays of numbers) of `value` marked as floats. */
export function asFloats(value: unknown): unknown {
  if (typeof value === "number") return new JsonFloat(value);
  if (Array.isArray(value) && value.every((x) => typeof x === "number")) return value.map((x: number) => new JsonFloat(x));
  return value;
}

/** `value` with float marks removed (plain numbers everywhere), e.g. for readers that only need the values. */
export function plainJson(value: unknown): unknown {
  if (value instanceof JsonFloat) return value.value;
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: plainJson(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}
