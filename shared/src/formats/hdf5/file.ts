// The superblock, and the per-file context every other part of the reader works through:
// address/length widths, the base address, positional reads and the caches of parsed structures.

import type { ByteSource } from "../byte-source.js";
import { Cursor, UNDEF, type CursorContext } from "./cursor.js";
import { Hdf5FormatError, Hdf5UnsupportedError } from "./errors.js";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * No metadata structure (object header, B-tree node, heap…) is anywhere near this large: a size
 * field asking for more is corrupt. Checked before reading, because a read allocates what it
 * asks for, and archive files of tens of gigabytes would let a corrupt size allocate gigabytes.
 */
export const MAX_STRUCTURE_BYTES = 256 * 1024 * 1024;

/** Absolute offset of the HDF5 signature (0, 512, 1024, 2048, …), or -1 when there is none. */
export function findSuperblock(source: ByteSource): number {
  for (let at = 0; at + 8 <= source.size; at = at === 0 ? 512 : at * 2) {
    const b = source.read(at, 8);
    let ok = true;
    for (let i = 0; i < 8; i++) {
      if (b[i] !== SIGNATURE[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return at;
  }
  return -1;
}

export class Hdf5File implements CursorContext {
  readonly path: string;
  superblockVersion = 0;
  offsetSize = 8;
  lengthSize = 8;
  base = 0;
  /** Object header address of the root group. */
  rootAddress = UNDEF;
  /** Parsed structures by absolute address (object headers, heaps…), so each is read once. */
  readonly cache = new Map<string, Map<number, unknown>>();

  constructor(readonly source: ByteSource) {
    this.path = source.path;
    const at = findSuperblock(source);
    if (at < 0) {
      throw new Hdf5FormatError(
        source.path,
        "file signature",
        0,
        "not an HDF5 file (no HDF5 signature at offset 0, 512, 1024, …)",
      );
    }
    this.readSuperblock(at);
  }

  /** A cursor over `length` bytes at absolute `offset`. */
  cursor(offset: number, length: number, structure: string): Cursor {
    if (offset < 0) throw this.error(structure, offset, "undefined address");
    if (length > MAX_STRUCTURE_BYTES) throw this.tooLarge(structure, offset, length);
    return new Cursor(this, this.source.read(offset, length), offset, structure);
  }

  /** Like `cursor`, but reads only as far as the file goes (for structures of unknown size). */
  cursorUpTo(offset: number, length: number, structure: string): Cursor {
    return this.cursor(offset, Math.max(0, Math.min(length, this.source.size - offset)), structure);
  }

  tooLarge(structure: string, offset: number, length: number): Hdf5FormatError {
    return this.error(structure, offset, `${length} bytes, more than any metadata structure has (${MAX_STRUCTURE_BYTES}): its size field is corrupt`);
  }

  error(structure: string, offset: number, detail: string): Hdf5FormatError {
    return new Hdf5FormatError(this.path, structure, offset, detail);
  }

  unsupported(feature: string, structure: string, offset: number): Hdf5UnsupportedError {
    return new Hdf5UnsupportedError(this.path, feature, structure, offset);
  }

  /** The cache of one kind of structure, keyed by address. */
  memo<T>(kind: string, address: number, make: () => T): T {
    let m = this.cache.get(kind);
    if (!m) {
      m = new Map();
      this.cache.set(kind, m);
    }
    if (m.has(address)) return m.get(address) as T;
    const v = make();
    m.set(address, v);
    return v;
  }

  private readSuperblock(at: number): void {
    const head = this.cursorUpTo(at, 96, "superblock");
    head.skip(8);
    const version = head.u8();
    this.superblockVersion = version;
    if (version > 3) throw this.unsupported(`superblock version ${version}`, "superblock", at);
    // Until the superblock says otherwise, read addresses as 8 bytes relative to `at`.
    this.base = at;
    let eof: number;
    let storedBase: number;
    if (version <= 1) {
      head.skip(3); // free-space version, root symbol table entry version, reserved
      head.skip(1); // shared header message format version
      this.setSizes(head.u8(), head.u8(), at);
      head.skip(1 + 2 + 2 + 4); // reserved, group leaf K, group internal K, consistency flags
      if (version === 1) head.skip(4); // indexed storage internal K, reserved
      storedBase = head.uint(this.offsetSize); // HDF5 uses the superblock position instead
      head.address(); // free-space info
      eof = head.uint(this.offsetSize);
      head.address(); // driver information block
      // Root group symbol table entry: link name offset, object header address, cache…
      head.skip(this.offsetSize);
      this.rootAddress = head.address();
    } else {
      this.setSizes(head.u8(), head.u8(), at);
      head.skip(1); // file consistency flags
      storedBase = head.uint(this.offsetSize);
      head.address(); // superblock extension (SOHM tables are detected where messages use them)
      eof = head.uint(this.offsetSize);
      this.rootAddress = head.address();
    }
    if (this.rootAddress === UNDEF) throw this.error("superblock", at, "root group address is undefined");
    // The stored end-of-file address counts from the stored base address (which writers set to
    // the superblock position, user block included); HDF5 rebases both when they differ.
    const end = eof + at - storedBase;
    if (end > this.source.size) {
      throw this.error(
        "superblock",
        at,
        `end-of-file address ${end} is beyond the file size ${this.source.size}: the file is truncated`,
      );
    }
  }

  private setSizes(offsetSize: number, lengthSize: number, at: number): void {
    for (const [what, n] of [
      ["offsets", offsetSize],
      ["lengths", lengthSize],
    ] as const) {
      if (n !== 2 && n !== 4 && n !== 8) {
        throw this.error("superblock", at, `size of ${what} is ${n}; expected 2, 4 or 8`);
      }
    }
    this.offsetSize = offsetSize;
    this.lengthSize = lengthSize;
  }
}
