import { JsonFloat, type JsonValue } from "./python-json.js";

// Reads JSON text exactly as Python's json.loads does with its defaults (what zarr-python 2 uses
// for metadata): strict JSON plus the bare tokens NaN, Infinity and -Infinity, nothing else (no
// "nan", "inf", comments, trailing commas or raw control characters in strings). Numbers keep
// their kind: "1.0", "1e3" and the three tokens become JsonFloat, "1" a plain (integer) number,
// or a bigint beyond 2^53 (Python's ints are exact).

export class PythonJsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "PythonJsonError";
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function where(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line} column ${column} (char ${offset})`;
}

export function parsePythonJson(text: string): JsonValue {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new PythonJsonError(`${message}: ${where(text, at)}`, at);
  };
  const skip = () => {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };

  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let run = i;
    for (;;) {
      if (i >= text.length) fail("Unterminated string starting at", start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("Invalid control character at");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text[i + 1];
      if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape", i + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else {
        fail("Invalid \\escape", i);
      }
      run = i;
    }
  };

  const value = (): JsonValue => {
    const c = text[i];
    if (c === '"') return string();
    if (c === "{") return object();
    if (c === "[") return array();
    if (literal("null")) return null;
    if (literal("true")) return true;
    if (literal("false")) return false;
    if (literal("NaN")) return new JsonFloat(Number.NaN);
    if (literal("Infinity")) return new JsonFloat(Number.POSITIVE_INFINITY);
    if (literal("-Infinity")) return new JsonFloat(Number.NEGATIVE_INFINITY);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail("Expecting value");
    i = NUMBER.lastIndex;
    const x = Number(m[0]);
    if (m[1] !== undefined || m[2] !== undefined) return new JsonFloat(x);
    return Number.isSafeInteger(x) ? x : BigInt(m[0]);
  };

  const array = (): JsonValue[] => {
    i++;
    const out: JsonValue[] = [];
    skip();
    if (text[i] === "]") {
      i++;
      return out;
    }
    for (;;) {
      skip();
      out.push(value());
      skip();
      if (text[i] === "]") {
        i++;
        return out;
      }
      if (text[i] !== ",") fail("Expecting ',' delimiter");
      i++;
    }
  };

  const object = (): { [key: string]: JsonValue } => {
    i++;
    const out: { [key: string]: JsonValue } = {};
    skip();
    if (text[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      skip();
      if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
      const key = string();
      skip();
      if (text[i] !== ":") fail("Expecting ':' delimiter");
      i++;
      skip();
      // defineProperty: a key named "__proto__" is data, as in Python.
      Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
      skip();
      if (text[i] === "}") {
        i++;
        return out;
      }
      if (text[i] !== ",") fail("Expecting ',' delimiter");
      i++;
    }
  };

  skip();
  const result = value();
  skip();
  if (i < text.length) fail("Extra data");
  return result;
}

/** Offset of the first byte that is not ASCII (zarr-python 2 decodes metadata as ASCII), or -1. */
export function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 0x7f) return i;
  return -1;
}
