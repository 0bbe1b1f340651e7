import { comparableText } from "../json/tagged-numbers.js";
import { DroverError } from "../errors.js";
import type { ByteSource } from "../formats/byte-source.js";
import type { FileLayout, VariableLayout } from "../formats/layout.js";
import { nonZeroChunks } from "../scan/chunks.js";
import { describeStorage, type StoredForm } from "../scan/storage.js";
import { toByteOrder } from "./byte-order.js";
import type { RefsDataset } from "./serialise.js";
import type { FileRefs, GroupRefs, Ref, VariableRefs } from "./types.js";
import { readBytes, toValues } from "./values.js";
import { reencodeValues } from "./cf-time.js";

// combine: many files' references → one dataset along the concatenation dimension (what
// kerchunk's MultiZarrToZarr does), exact or refused: chunk keys are renumbered only where
// every file but the last holds whole chunks; small variables (the concatenated coordinate, its
// bounds) are decoded, re-encoded to one time unit where needed, concatenated and inlined.

export interface CombineFile {
  refs: FileRefs;
  layout: FileLayout;
  /** The file's bytes; the caller owns (and closes) the source. */
  open: () => ByteSource;
}

export interface CombineOptions {
  concatDim: string | null;
  /** Product attributes (from the scan's plan). */
  attributes: Record<string, unknown>;
  floatAttributes: string[];
  /** Groups below the root with their attributes (from the scan's plan). */
  groups: GroupRefs[];
  /** Variables to keep, in order (from the scan's plan). */
  variables: string[];
  /** Variables whose values are re-encoded per file (time and its bounds): name → file index → map. */
  reencode: Record<string, Array<((x: number) => number) | undefined>>;
  /** Concatenated variables up to this many bytes are decoded and inlined whole. */
  inlineLimit: number;
}

/** The concatenated coordinate and re-encoded time are inlined up to this size whatever the limit. */
export const COORDINATE_INLINE_LIMIT = 64 * 1024 * 1024;

export class RefsNotExpressibleError extends DroverError {
  constructor(message: string, variable: string, file?: string) {
    super("UnsupportedFeatureError", message, { variable, ...(file ? { file } : {}) });
    this.name = "RefsNotExpressibleError";
  }
}

const zarrayForm = (v: VariableRefs): StoredForm => ({ dtype: v.zarray.dtype, chunks: v.zarray.chunks, filters: (v.zarray.filters ?? []).map((f) => f.id) });

function layoutOf(f: CombineFile, name: string): VariableLayout {
  const v = f.layout.variables.find((x) => x.path === `/${name}`);
  if (!v) throw new DroverError("ConcatFatalError", `${f.layout.path} has no variable ${name}`, { file: f.layout.path, variable: name });
  return v;
}

/** Decodes the variable in every file, applies any re-encoding, concatenates along `axis`. */
function inlineConcatenated(files: CombineFile[], name: string, axis: number, reencode: CombineOptions["reencode"][string] | undefined): { bytes: Uint8Array; shape: number[] } {
  const first = layoutOf(files[0] as CombineFile, name);
  const parts = files.map((f, i) => {
    const v = layoutOf(f, name);
    let bytes = readBytes(f.open(), v);
    const map = reencode?.[i];
    if (map) bytes = mapValues(bytes, v.dtype.typestr, map, name, f.layout.path);
    // netCDF-3 files are big-endian, netCDF-4 files (as netCDF-C writes them) little-endian:
    // the inlined chunk is declared with the first file's dtype, so every part takes its byte order.
    return { bytes: toByteOrder(bytes, v.dtype.typestr, first.dtype.typestr), shape: v.shape };
  });
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + (p.shape[axis] ?? 0), 0);
  const size = first.dtype.size;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1) * size;
  const out = new Uint8Array(shape.reduce((a, b) => a * b, 1) * size);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const len = (p.shape[axis] ?? 0) * inner;
      out.set(p.bytes.subarray(o * len, (o + 1) * len), at);
      at += len;
    }
  }
  return { bytes: out, shape };
}

function mapValues(bytes: Uint8Array, typestr: string, map: (x: number) => number, name: string, file: string): Uint8Array {
  // Refused outright: a Zarr copy re-encodes with the same function and would refuse the same values.
  const vals = reencodeValues(toValues(bytes, typestr), map, name, file);
  const out = new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength);
  const size = Number(typestr.slice(2)) || 1;
  if (typestr[0] === ">" && size > 1) for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  return out;
}

/** The chunk key with its index along `axis` moved by `offset` ("3.0.1" → "15.0.1"). */
export function renumber(key: string, axis: number, offset: number): string {
  if (offset === 0) return key;
  if (axis === 0) {
    const dot = key.indexOf(".");
    return dot < 0 ? String(Number(key) + offset) : `${Number(key.slice(0, dot)) + offset}${key.slice(dot)}`;
  }
  const idx = key.split(".");
  idx[axis] = String(Number(idx[axis] ?? 0) + offset);
  return idx.join(".");
}

export function combineRefs(files: CombineFile[], options: CombineOptions): RefsDataset {
  const first = files[0];
  if (!first) throw new Error("combineRefs needs at least one file");
  const variables: VariableRefs[] = [];
  for (const name of options.variables) {
    const v0 = first.refs.variables.find((v) => v.name === name);
    if (!v0) throw new DroverError("ConcatFatalError", `${first.layout.path} has no variable ${name}`, { variable: name });
    const axis = options.concatDim === null ? -1 : v0.dimensions.indexOf(options.concatDim);
    if (axis < 0 || files.length === 1 && !options.reencode[name]) {
      variables.push(v0);
      continue;
    }
    const perFile = files.map((f) => {
      const v = f.refs.variables.find((x) => x.name === name);
      if (!v) throw new DroverError("ConcatFatalError", `${f.layout.path} has no variable ${name}`, { file: f.layout.path, variable: name });
      return v;
    });
    const lengths = perFile.map((v) => v.zarray.shape[axis] ?? 0);
    const total = lengths.reduce((a, b) => a + b, 0);
    const itemBytes = v0.zarray.shape.reduce((a, b, i) => (i === axis ? a : a * b), 1) * (Number(v0.zarray.dtype.slice(2)) || 1);
    const c = v0.zarray.chunks[axis] ?? 1;
    const sameEncoding = perFile.every((v) => comparableText([v.zarray.chunks, v.zarray.filters, v.zarray.dtype, v.zarray.fill_value]) === comparableText([v0.zarray.chunks, v0.zarray.filters, v0.zarray.dtype, v0.zarray.fill_value]));
    const misaligned = lengths.findIndex((n, i) => i < lengths.length - 1 && n % c !== 0);
    const wantsInline = name === options.concatDim || options.reencode[name] !== undefined;
    const limit = wantsInline ? Math.max(options.inlineLimit, COORDINATE_INLINE_LIMIT) : options.inlineLimit;
    if (wantsInline || misaligned >= 0 || !sameEncoding) {
      // Variable-length strings are heap pointers in the files, not values: they cannot be
      // joined byte by byte (the Zarr copy reads and re-encodes them).
      if (v0.zarray.dtype === "|O") {
        throw new RefsNotExpressibleError(`variable ${name} holds variable-length strings whose chunks cannot be split between files`, name);
      }
      if (total * itemBytes <= limit) {
        const { bytes, shape } = inlineConcatenated(files, name, axis, options.reencode[name]);
        variables.push({
          ...v0,
          zarray: { ...v0.zarray, shape, chunks: nonZeroChunks(shape), filters: null },
          chunks: { [shape.map(() => "0").join(".")]: `base64:${Buffer.from(bytes).toString("base64")}` },
        });
        continue;
      }
      if (!sameEncoding) {
        const odd = perFile.findIndex((v) => JSON.stringify([v.zarray.chunks, v.zarray.filters, v.zarray.dtype]) !== JSON.stringify([v0.zarray.chunks, v0.zarray.filters, v0.zarray.dtype]));
        const f = files[odd]?.layout.path ?? "";
        const vo = perFile[odd];
        throw new RefsNotExpressibleError(
          vo
            ? `variable ${name} is stored ${describeStorage(zarrayForm(v0))} in ${first.layout.path} but ${describeStorage(zarrayForm(vo))} in ${f}; one set of references cannot describe both`
            : `variable ${name} has another fill value in some files than in ${first.layout.path}; one set of references cannot describe both`,
          name,
          f,
        );
      }
      const f = files[misaligned]?.layout.path ?? "";
      throw new RefsNotExpressibleError(
        `variable ${name} has ${options.concatDim} chunks of ${c} but ${f} holds ${lengths[misaligned]} steps, not a multiple of ${c}: references cannot express a partial chunk inside the series`,
        name,
        f,
      );
    }
    const chunks: Record<string, Ref> = {};
    let offset = 0;
    perFile.forEach((v, i) => {
      const from = v.chunks;
      for (const k in from) chunks[renumber(k, axis, offset)] = from[k] as Ref;
      offset += Math.ceil((lengths[i] ?? 0) / c);
    });
    const shape = [...v0.zarray.shape];
    shape[axis] = total;
    variables.push({ ...v0, zarray: { ...v0.zarray, shape }, chunks });
  }
  return { attributes: options.attributes, floatAttributes: options.floatAttributes, groups: options.groups, variables };
}
