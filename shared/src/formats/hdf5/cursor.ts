// A bounds-checked little-endian reader over a Uint8Array view of file bytes. HDF5 metadata is
// always little-endian; addresses and lengths have the widths the superblock declares.

import { Hdf5FormatError, Hdf5UnsupportedError } from "./errors.js";

/** The "undefined address" (all bits set on disk). */
export const UNDEF = -1;

/** What a cursor needs to know about the file it reads. */
export interface CursorContext {
  readonly path: string;
  /** Size of addresses ("offsets") in bytes: 2, 4 or 8. */
  readonly offsetSize: number;
  /** Size of lengths in bytes: 2, 4 or 8. */
  readonly lengthSize: number;
  /** Absolute position of the superblock: every stored address is relative to it. */
  readonly base: number;
}

const TWO_32 = 4294967296;

export class Cursor {
  readonly view: DataView;
  /** Read position, relative to `bytes`. */
  pos: number;
  readonly end: number;

  constructor(
    readonly ctx: CursorContext,
    readonly bytes: Uint8Array,
    /** Absolute file offset of bytes[0]. */
    readonly origin: number,
    readonly structure: string,
    pos = 0,
    end = bytes.length,
    /** The view over `bytes` when the caller has one (sub-cursors share their parent's). */
    view?: DataView,
  ) {
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.end = end;
  }

  /** A cursor over `length` bytes starting at the current position (which it skips). */
  sub(length: number, structure = this.structure): Cursor {
    this.need(length);
    const c = new Cursor(this.ctx, this.bytes, this.origin, structure, this.pos, this.pos + length, this.view);
    this.pos += length;
    return c;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Absolute file offset of the current position. */
  get offset(): number {
    return this.origin + this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw this.fail(`needs ${n} bytes but only ${Math.max(0, this.end - this.pos)} remain`);
    }
  }

  fail(detail: string, at = this.offset): Hdf5FormatError {
    return new Hdf5FormatError(this.ctx.path, this.structure, at, detail);
  }

  unsupported(feature: string, at = this.offset): Hdf5UnsupportedError {
    return new Hdf5UnsupportedError(this.ctx.path, feature, this.structure, at);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Skips to the next multiple of `n` bytes counted from `from` (a position in `bytes`). */
  align(n: number, from: number): void {
    const rel = this.pos - from;
    const pad = (n - (rel % n)) % n;
    this.skip(Math.min(pad, this.end - this.pos));
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned little-endian integer of `n` (0..8) bytes; fails above 2^53. */
  uint(n: number): number {
    this.need(n);
    let v = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      v += (this.bytes[this.pos + i] as number) * scale;
      scale *= 256;
    }
    if (v > Number.MAX_SAFE_INTEGER) throw this.fail(`a ${n}-byte value exceeds 2^53`);
    this.pos += n;
    return v;
  }

  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    if (hi >= 0x200000) throw this.fail("an 8-byte value exceeds 2^53");
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** True when the next `n` bytes are all 0xFF (undefined address, unlimited size). */
  allOnes(n: number): boolean {
    this.need(n);
    for (let i = 0; i < n; i++) if (this.bytes[this.pos + i] !== 0xff) return false;
    return true;
  }

  /** A file address (made absolute by adding the base address), or UNDEF. */
  address(): number {
    const n = this.ctx.offsetSize;
    if (this.allOnes(n)) {
      this.pos += n;
      return UNDEF;
    }
    return this.uint(n) + this.ctx.base;
  }

  /** A "length" field (sizes, counts) of the superblock's length width. */
  length(): number {
    return this.uint(this.ctx.lengthSize);
  }

  /** Checks a 4-byte ASCII signature such as "OHDR". */
  signature(expected: string): void {
    this.need(4);
    for (let i = 0; i < 4; i++) {
      if (this.bytes[this.pos + i] !== expected.charCodeAt(i)) {
        throw this.fail(`signature "${expected}" not found (got "${latin1(this.bytes, this.pos, 4)}")`);
      }
    }
    this.pos += 4;
  }

  /** The next `n` bytes as a view (no copy). */
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A NUL-terminated string; the cursor ends after the terminator. */
  cstring(): string {
    let i = this.pos;
    while (i < this.end && this.bytes[i] !== 0) i++;
    if (i >= this.end) throw this.fail("string without NUL terminator");
    const s = decodeText(this.bytes, this.pos, i);
    this.pos = i + 1;
    return s;
  }
}

const utf8 = new TextDecoder("utf-8");

/** Decodes bytes [start, end) as UTF-8 (ASCII fast path without allocation of a decoder call). */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      let s = "";
      for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
      return s;
    }
  }
  return utf8.decode(bytes.subarray(start, end));
}

function latin1(bytes: Uint8Array, start: number, n: number): string {
  let s = "";
  for (let i = start; i < start + n && i < bytes.length; i++) {
    const b = bytes[i] as number;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return s;
}
