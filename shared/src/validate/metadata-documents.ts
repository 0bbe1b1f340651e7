import { firstNonAscii, parsePythonJson, PythonJsonError } from "../json/python-json-parse.js";
import { JsonFloat, plainJson, type JsonValue } from "../json/python-json.js";

// Is every metadata document of a product one that Python's zarr 2 reads, and reads as meant?
// zarr-python 2 decodes a document's bytes as ASCII, parses them with Python's json module (strict
// JSON plus bare NaN/Infinity/-Infinity), and divides by every chunk length. Pure: the bytes come
// from the caller (see product-documents.ts).

export const METADATA_NAMES = [".zgroup", ".zattrs", ".zarray", ".zmetadata"] as const;

export function isMetadataKey(key: string): boolean {
  return (METADATA_NAMES as readonly string[]).includes(key.slice(key.lastIndexOf("/") + 1));
}

export interface DocumentProblem {
  /** The document's key in the store (".zattrs", "tas/.zarray"), or the Parquet entry's. */
  key: string;
  problem: string;
}

export interface CheckedMetadata {
  /** Every document (and every entry of a Parquet `.zmetadata`) that parsed, by key: floats marked JsonFloat. */
  documents: Map<string, JsonValue>;
  problems: DocumentProblem[];
}

const FLOAT_SPECIALS = ["NaN", "Infinity", "-Infinity"];

function describeNonAscii(bytes: Uint8Array, at: number): string {
  const char = new TextDecoder().decode(bytes.subarray(at, at + 4)).charAt(0);
  const code = char.charCodeAt(0);
  const escape = code >= 0x80 && code !== 0xfffd ? ` (${JSON.stringify(char)}; JSON spells it \\u${code.toString(16).padStart(4, "0")})` : "";
  return `byte 0x${(bytes[at] as number).toString(16)} at offset ${at} is not ASCII${escape}: zarr-python 2 decodes metadata as ASCII and cannot open it`;
}

/** Why an integer dtype's fill_value cannot be stored in it (numpy refuses to convert it), or undefined. */
export function integerFillProblem(fill: JsonValue | undefined, dtype: string): string | undefined {
  const m = /^[<>|=]?([iu])([1248])$/.exec(dtype);
  if (m === null || fill === null || fill === undefined) return undefined;
  const bits = BigInt(Number(m[2]) * 8);
  const signed = m[1] === "i";
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const n = fill instanceof JsonFloat ? fill.value : fill;
  const whole = typeof n === "bigint" ? n : typeof n === "number" && Number.isInteger(n) ? BigInt(n) : undefined;
  if (whole === undefined) return `fill_value ${JSON.stringify(plainJson(fill))} is not an integer, and the dtype ${dtype} holds only integers`;
  if (whole < min || whole > max) return `fill_value ${whole.toString()} is outside the range of ${dtype} (${min.toString()} to ${max.toString()}); numpy cannot convert it`;
  return undefined;
}

/** Problems with what a parsed document says (a `.zarray`'s fill value and chunks). */
export function checkMetadataValue(key: string, value: JsonValue): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof JsonFloat) return ["is not a JSON object"];
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (name !== ".zarray") return [];
  const problems: string[] = [];
  const fill = value["fill_value"];
  const dtype = typeof value["dtype"] === "string" ? value["dtype"] : "";
  if (fill instanceof JsonFloat && !Number.isFinite(fill.value)) {
    const token = Number.isNaN(fill.value) ? "NaN" : fill.value > 0 ? "Infinity" : "-Infinity";
    problems.push(`fill_value is the bare token ${token}; the Zarr v2 spec writes it as the string "${token}"`);
  } else if (typeof fill === "string" && /^[<>|=]?f/.test(dtype) && !FLOAT_SPECIALS.includes(fill)) {
    problems.push(`fill_value ${JSON.stringify(fill)} is not a number, "NaN", "Infinity" or "-Infinity"`);
  } else {
    const outside = integerFillProblem(fill, dtype);
    if (outside !== undefined) problems.push(outside);
  }
  const shape = value["shape"];
  const chunks = value["chunks"];
  const ints = (x: unknown, min: number): x is number[] => Array.isArray(x) && x.every((n) => typeof n === "number" && Number.isInteger(n) && n >= min);
  if (!ints(shape, 0)) problems.push(`shape ${JSON.stringify(plainJson(shape ?? null))} is not a list of lengths`);
  if (!ints(chunks, 1)) {
    problems.push(`chunks ${JSON.stringify(plainJson(chunks ?? null))} is not a list of positive lengths (zarr-python divides by each; a zero-length dimension takes chunks of 1)`);
  } else if (Array.isArray(shape) && chunks.length !== shape.length) {
    problems.push(`chunks ${JSON.stringify(chunks)} and shape ${JSON.stringify(plainJson(shape))} differ in length`);
  }
  return problems;
}

/** Reads one document's bytes as zarr-python 2 does: its problems, and its value when it parses. */
export function checkDocument(key: string, bytes: Uint8Array): { value?: JsonValue; problems: string[] } {
  const problems: string[] = [];
  const at = firstNonAscii(bytes);
  if (at >= 0) problems.push(describeNonAscii(bytes, at));
  let value: JsonValue;
  try {
    value = parsePythonJson(new TextDecoder().decode(bytes));
  } catch (e) {
    if (!(e instanceof PythonJsonError)) throw e;
    problems.push(`is not JSON that Python's json module reads: ${e.message}`);
    return { problems };
  }
  problems.push(...checkMetadataValue(key, value));
  return { value, problems };
}

/**
 * Checks every document (key → bytes). A Parquet reference set's `.zmetadata` holds the others as
 * entries: each is checked as the document fsspec hands to zarr (json.dumps of the entry).
 */
export function checkMetadataDocuments(docs: Map<string, Uint8Array>): CheckedMetadata {
  const documents = new Map<string, JsonValue>();
  const problems: DocumentProblem[] = [];
  for (const [key, bytes] of docs) {
    const r = checkDocument(key, bytes);
    for (const problem of r.problems) problems.push({ key, problem });
    if (r.value === undefined) continue;
    documents.set(key, r.value);
    if (key !== ".zmetadata" || r.value === null || typeof r.value !== "object" || Array.isArray(r.value) || r.value instanceof JsonFloat) continue;
    const entries = r.value["metadata"];
    if (entries === null || typeof entries !== "object" || Array.isArray(entries) || entries instanceof JsonFloat) {
      problems.push({ key, problem: `has no "metadata" object` });
      continue;
    }
    for (const [k, v] of Object.entries(entries)) {
      for (const problem of checkMetadataValue(k, v)) problems.push({ key: k, problem });
      documents.set(k, v);
    }
  }
  return { documents, problems };
}
