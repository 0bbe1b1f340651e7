// Loading of the fixtures' ground truth (written by scripts/fixtures/hdf5/truth.py from h5py and
// `ncdump -h`) and normalisation of reader output for comparison with it.

import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AttributeValue, ChunkRef, VariableLayout } from "../../../shared/src/formats/layout.js";
import { parseExactJson } from "../../helpers/exact-json.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/hdf5/", import.meta.url));

/** Integers beyond 2^53 are bigints (read exactly by parseExactJson). */
export type TruthValue = string | number | bigint | boolean | null | (string | number | bigint | boolean)[] | { unreadable: string };

export interface TruthDataset {
  shape: number[];
  maxshape: (number | null)[];
  dtype: string;
  layout: "compact" | "contiguous" | "chunked";
  chunks: number[] | null;
  filters: { id: number; flags: number; cd_values: number[]; name: string }[];
  fillvalue: string | number | bigint | null;
  attrs: Record<string, TruthValue>;
  /** Names of the attributes h5py reads as floating point. */
  float_attrs: string[];
  contiguous?: { offset: number; size: number } | null;
  compact_hex?: string;
  chunk_info?: { offset: number[]; byte_offset: number; size: number; filter_mask: number }[];
}

export interface Truth {
  file: string;
  size: number;
  superblock: number;
  groups: string[];
  root_attrs: Record<string, TruthValue>;
  root_float_attrs: string[];
  datasets: Record<string, TruthDataset>;
  ncdump: {
    dimensions: { group: string; name: string; size: number; unlimited: boolean }[];
    variables: Record<string, string[]>;
  } | null;
}

/** Fixture file names that have a truth file, sorted. */
export function truthFixtures(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".truth.json"))
    .map((f) => f.slice(0, -".truth.json".length))
    .sort();
}

export function loadTruth(fixture: string): Truth {
  return parseExactJson(readFileSync(`${FIXTURES}${fixture}.truth.json`, "utf8")) as Truth;
}

/** Attributes the reader hides (library and netCDF internals). */
export const INTERNAL_ATTRIBUTES = new Set([
  "CLASS",
  "NAME",
  "REFERENCE_LIST",
  "DIMENSION_LIST",
  "_Netcdf4Dimid",
  "_Netcdf4Coordinates",
  "_nc3_strict",
  "_NCProperties",
  "_SuperblockVersion",
  "_IsNetcdf4",
]);

export const NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable";

/** JSON has no NaN or infinities: the truth spells them as strings, so do we. */
export function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

export function normaliseValue(v: AttributeValue | string | number | null): unknown {
  if (typeof v === "number") return jsonNumber(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "number" ? jsonNumber(x) : x));
  return v;
}

/** The float attribute names the reader reports (internal attributes are not reported). */
export function userFloatAttributes(names: string[]): string[] {
  return names.filter((n) => !INTERNAL_ATTRIBUTES.has(n)).sort();
}

export function userTruthAttributes(attrs: Record<string, TruthValue>): Record<string, TruthValue> {
  const out: Record<string, TruthValue> = {};
  for (const [k, v] of Object.entries(attrs)) if (!INTERNAL_ATTRIBUTES.has(k)) out[k] = v;
  return out;
}

export function normaliseAttributes(attrs: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = normaliseValue(v);
  return out;
}

export interface ExpectedChunk {
  index: number[];
  offset: number;
  length: number;
  filterMask: number;
}

/** The truth's chunks as the reader reports them: grid indexes, sorted row-major. */
export function expectedChunks(t: TruthDataset): ExpectedChunk[] {
  const chunks = t.chunks ?? [];
  return (t.chunk_info ?? [])
    .map((c) => ({
      index: c.offset.map((o, d) => o / (chunks[d] as number)),
      offset: c.byte_offset,
      length: c.size,
      filterMask: c.filter_mask,
    }))
    .sort(byIndex);
}

export function byIndex(a: { index: number[] }, b: { index: number[] }): number {
  for (let d = 0; d < a.index.length; d++) {
    const diff = (a.index[d] as number) - (b.index[d] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function actualChunks(v: VariableLayout): ChunkRef[] {
  return v.storage.kind === "chunked" ? v.storage.chunks : [];
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
