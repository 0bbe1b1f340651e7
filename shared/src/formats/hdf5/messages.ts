// Dataset header messages: dataspace, fill value (old and new), filter pipeline, data layout.

import type { Filter } from "../layout.js";
import type { Cursor } from "./cursor.js";

export interface Dataspace {
  kind: "scalar" | "simple" | "null";
  dims: number[];
  /** null for H5S_UNLIMITED. */
  maxDims: (number | null)[];
}

export function parseDataspace(c: Cursor): Dataspace {
  const start = c.offset;
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  let kind: Dataspace["kind"];
  if (version === 1) {
    c.skip(5);
    kind = rank === 0 ? "scalar" : "simple";
  } else if (version === 2) {
    const type = c.u8();
    if (type > 2) throw c.fail(`dataspace type ${type}`, start);
    kind = (["scalar", "simple", "null"] as const)[type] as Dataspace["kind"];
  } else {
    throw c.unsupported(`dataspace message version ${version}`, start);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.length());
  const maxDims: (number | null)[] = [];
  for (let i = 0; i < rank; i++) {
    if (!(flags & 0x01)) maxDims.push(dims[i] as number);
    else if (c.allOnes(c.ctx.lengthSize)) {
      c.skip(c.ctx.lengthSize);
      maxDims.push(null);
    } else maxDims.push(c.length());
  }
  for (let i = 0; i < rank; i++) {
    const max = maxDims[i] as number | null;
    if (max !== null && (dims[i] as number) > max) {
      throw c.fail(`dimension ${i} has size ${dims[i]} but its maximum is ${max}`, start);
    }
  }
  return { kind, dims, maxDims };
}

/** Number of elements (0 for a null dataspace). */
export function elementCount(s: Dataspace): number {
  if (s.kind === "null") return 0;
  let n = 1;
  for (const d of s.dims) n *= d;
  return n;
}

/** The stored fill value bytes, or null when the message defines none. */
export function parseFillValue(c: Cursor, old: boolean): Uint8Array | null {
  if (old) {
    const size = c.u32();
    return size > 0 ? c.take(size) : null;
  }
  const start = c.offset;
  const version = c.u8();
  if (version === 1 || version === 2) {
    c.skip(2); // allocation time, fill write time
    const defined = c.u8();
    if (version === 2 && !defined) return null;
    const size = c.u32();
    return defined && size > 0 ? c.take(size) : null;
  }
  if (version === 3) {
    const flags = c.u8();
    if (!(flags & 0x20)) return null; // no value stored (default or undefined fill value)
    const size = c.u32();
    return size > 0 ? c.take(size) : null;
  }
  throw c.unsupported(`fill value message version ${version}`, start);
}

const FILTER_NAMES: Record<number, string> = {
  1: "deflate",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
};

export function parseFilters(c: Cursor): Filter[] {
  const start = c.offset;
  const version = c.u8();
  const count = c.u8();
  if (version === 1) c.skip(6);
  else if (version !== 2) throw c.unsupported(`filter pipeline message version ${version}`, start);
  const filters: Filter[] = [];
  for (let i = 0; i < count; i++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    const flags = c.u16();
    const nValues = c.u16();
    let name = "";
    if (nameLength > 0) {
      const field = c.sub(nameLength, "filter name");
      name = field.cstring();
    }
    const clientData: number[] = [];
    for (let k = 0; k < nValues; k++) clientData.push(c.u32());
    if (version === 1 && nValues % 2 === 1) c.skip(4);
    filters.push({ id, name: name || FILTER_NAMES[id] || "", clientData, optional: (flags & 0x01) !== 0 });
  }
  return filters;
}

export type LayoutInfo =
  | { cls: "compact"; data: Uint8Array }
  | { cls: "contiguous"; address: number; size: number }
  | {
      cls: "chunked";
      version: 3 | 4;
      /** Chunk shape without the trailing element-size dimension. */
      chunk: number[];
      elementSize: number;
      /** 1 single chunk, 2 implicit, 3 fixed array, 4 extensible array, 5 v2 B-tree; 0 = v1 B-tree. */
      indexType: number;
      address: number;
      /** Layout v4 flag: edge chunks stored unfiltered. */
      flags: number;
      /** Single chunk with filters: stored size and filter mask. */
      singleSize: number;
      singleMask: number;
    };

export function parseLayout(c: Cursor): LayoutInfo {
  const start = c.offset;
  const version = c.u8();
  if (version < 3 || version > 4) throw c.unsupported(`data layout message version ${version}`, start);
  const cls = c.u8();
  if (cls === 0) {
    const size = c.u16();
    return { cls: "compact", data: c.take(size) };
  }
  if (cls === 1) return { cls: "contiguous", address: c.address(), size: c.length() };
  if (cls === 3) throw c.unsupported("virtual dataset layout", start);
  if (cls !== 2) throw c.fail(`layout class ${cls}`, start);
  if (version === 3) {
    const rank = c.u8();
    const address = c.address();
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(c.u32());
    const elementSize = dims.pop() ?? 0;
    checkChunk(c, dims, elementSize, start);
    return {
      cls: "chunked",
      version: 3,
      chunk: dims,
      elementSize,
      indexType: 0,
      address,
      flags: 0,
      singleSize: 0,
      singleMask: 0,
    };
  }
  const flags = c.u8();
  const rank = c.u8();
  const dimBytes = c.u8();
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.uint(dimBytes));
  const elementSize = dims.pop() ?? 0;
  checkChunk(c, dims, elementSize, start);
  const indexType = c.u8();
  let singleSize = 0;
  let singleMask = 0;
  switch (indexType) {
    case 1:
      if (flags & 0x02) {
        singleSize = c.length();
        singleMask = c.u32();
      }
      break;
    case 2:
      break;
    case 3:
      c.skip(1); // page bits (also in the fixed array header)
      break;
    case 4:
      c.skip(5); // extensible array parameters (also in its header)
      break;
    case 5:
      c.skip(6); // v2 B-tree node size, split and merge percentages
      break;
    default:
      throw c.unsupported(`chunk index type ${indexType}`, start);
  }
  const address = c.address();
  return { cls: "chunked", version: 4, chunk: dims, elementSize, indexType, address, flags, singleSize, singleMask };
}

/** Chunk dimensions and element size are at least 1: a 0 would make an endless chunk grid. */
function checkChunk(c: Cursor, dims: number[], elementSize: number, start: number): void {
  if (elementSize < 1 || dims.some((d) => d < 1)) {
    throw c.fail(`chunk shape [${dims.join(", ")}] of ${elementSize}-byte elements has an empty dimension`, start);
  }
}
