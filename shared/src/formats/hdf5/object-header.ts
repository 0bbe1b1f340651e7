// Object headers (version 1, and version 2 "OHDR" with "OCHK" continuation blocks): the list of
// header messages of a group, dataset or committed datatype. Parsed once per address.

import { Cursor, UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";

export const MSG = {
  NIL: 0x0,
  DATASPACE: 0x1,
  LINK_INFO: 0x2,
  DATATYPE: 0x3,
  FILL_OLD: 0x4,
  FILL: 0x5,
  LINK: 0x6,
  EXTERNAL_FILES: 0x7,
  LAYOUT: 0x8,
  GROUP_INFO: 0xa,
  FILTERS: 0xb,
  ATTRIBUTE: 0xc,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
  ATTRIBUTE_INFO: 0x15,
} as const;

/** Message flag bit 1: the message is stored elsewhere (shared) and this is a reference to it. */
export const FLAG_SHARED = 0x02;

export interface HeaderMessage {
  type: number;
  flags: number;
  /** A cursor over exactly the message data; call `data()` for a fresh one. */
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly size: number;
  /** Absolute file offset of the message data. */
  readonly origin: number;
}

export interface ObjectHeader {
  address: number;
  version: 1 | 2;
  messages: HeaderMessage[];
}

/** A fresh cursor over a message's data. */
export function messageCursor(file: Hdf5File, m: HeaderMessage, structure: string): Cursor {
  return new Cursor(file, m.bytes, m.origin, structure, m.start, m.start + m.size);
}

export function firstMessage(h: ObjectHeader, type: number): HeaderMessage | undefined {
  for (const m of h.messages) if (m.type === type) return m;
  return undefined;
}

/**
 * Decodes a shared message reference and returns the object header address it points to
 * (committed datatypes). Messages in the shared object header message (SOHM) heap are refused.
 */
export function sharedMessageAddress(c: Cursor): number {
  const start = c.offset;
  const version = c.u8();
  const type = c.u8();
  if (version === 1) {
    c.skip(6 + c.ctx.lengthSize); // reserved, and the unused local heap field of the entry
  } else if (version === 3 && type === 1) {
    throw c.unsupported("shared object header message stored in the SOHM heap (shared message table)", start);
  } else if (version !== 2 && version !== 3) {
    throw c.unsupported(`shared message version ${version}`, start);
  }
  const address = c.address();
  if (address === UNDEF) throw c.fail("shared message points to an undefined address", start);
  return address;
}

/** A cursor over a message's content, following a shared message to the object holding it. */
export function messageContent(file: Hdf5File, m: HeaderMessage, structure: string): Cursor {
  const c = messageCursor(file, m, structure);
  if (!(m.flags & FLAG_SHARED)) return c;
  const target = readObjectHeader(file, sharedMessageAddress(c));
  const found = firstMessage(target, m.type);
  if (!found || found.flags & FLAG_SHARED) {
    throw c.fail(`shared ${structure} not found in the object header at ${target.address}`);
  }
  return messageCursor(file, found, structure);
}

/** The object header at `address` (cached). */
export function readObjectHeader(file: Hdf5File, address: number): ObjectHeader {
  return file.memo("object header", address, () => parseHeader(file, address));
}

function parseHeader(file: Hdf5File, address: number): ObjectHeader {
  if (address === UNDEF) throw file.error("object header", address, "undefined address");
  const first = file.cursorUpTo(address, 16, "object header");
  if (first.remaining >= 4 && first.bytes[0] === 0x4f && first.bytes[1] === 0x48) {
    return parseV2(file, address);
  }
  const version = first.u8();
  if (version !== 1) {
    throw first.fail(`object header version ${version} (expected 1, or the "OHDR" signature of version 2)`, address);
  }
  first.skip(1); // reserved
  const count = first.u16();
  first.skip(4); // reference count
  const size = first.u32();
  const header: ObjectHeader = { address, version: 1, messages: [] };
  // Version 1 messages start 16 bytes into the header (the 12-byte prefix is padded to 8).
  const blocks = new Blocks(file, address + 16, size);
  let parsed = 0; // the count includes NIL and continuation messages
  for (let b = 0; b < blocks.list.length; b++) {
    const [at, len] = blocks.list[b] as [number, number];
    const c = file.cursor(at, len, "object header");
    while (c.remaining >= 8 && parsed++ < count) {
      const type = c.u16();
      const msgSize = c.u16();
      const flags = c.u8();
      c.skip(3);
      c.need(msgSize);
      addMessage(file, header, blocks, { type, flags, bytes: c.bytes, start: c.pos, size: msgSize, origin: c.origin });
      c.skip(msgSize);
    }
  }
  return header;
}

function parseV2(file: Hdf5File, address: number): ObjectHeader {
  const c = file.cursorUpTo(address, 64, "object header");
  c.signature("OHDR");
  const version = c.u8();
  if (version !== 2) throw c.fail(`"OHDR" object header version ${version} (expected 2)`);
  const flags = c.u8();
  if (flags & 0x20) c.skip(16); // access, modification, change and birth times
  if (flags & 0x10) c.skip(4); // attribute phase change values
  const sizeBytes = 1 << (flags & 0x03);
  const chunkSize = c.uint(sizeBytes);
  const orderPresent = (flags & 0x04) !== 0;
  const header: ObjectHeader = { address, version: 2, messages: [] };
  const prefix = c.pos;
  const blocks = new Blocks(file, address, prefix + chunkSize);
  readV2Messages(file, header, blocks, file.cursor(address + prefix, chunkSize, "object header"), orderPresent);
  for (let b = 1; b < blocks.list.length; b++) {
    const [at, len] = blocks.list[b] as [number, number];
    const k = file.cursor(at, len, "object header continuation block");
    k.signature("OCHK");
    readV2Messages(file, header, blocks, k.sub(len - 8), orderPresent); // minus signature and checksum
  }
  return header;
}

function readV2Messages(
  file: Hdf5File,
  header: ObjectHeader,
  blocks: Blocks,
  c: Cursor,
  orderPresent: boolean,
): void {
  const prefixSize = orderPresent ? 6 : 4;
  // What remains after the last message, if smaller than a message prefix, is a gap.
  while (c.remaining >= prefixSize) {
    const type = c.u8();
    const size = c.u16();
    const flags = c.u8();
    if (orderPresent) c.skip(2);
    c.need(size);
    addMessage(file, header, blocks, { type, flags, bytes: c.bytes, start: c.pos, size, origin: c.origin });
    c.skip(size);
  }
}

/**
 * The blocks of one object header (the first, then continuation blocks), each listed once: a
 * continuation back to a block already listed is a loop, and all of them together cannot be
 * larger than the file.
 */
class Blocks {
  readonly list: [number, number][] = [];
  readonly #starts = new Set<number>();
  #bytes = 0;

  constructor(
    readonly file: Hdf5File,
    at: number,
    len: number,
  ) {
    this.list.push([at, len]);
    this.#starts.add(at);
    this.#bytes = len;
  }

  add(c: Cursor, at: number, len: number): void {
    if (this.#starts.has(at)) throw c.fail(`continuation back to the block at ${at} (a loop)`);
    this.#bytes += len;
    if (this.#bytes > this.file.source.size) {
      throw c.fail(`continuation blocks of ${this.#bytes} bytes in all, more than the file's ${this.file.source.size}`);
    }
    this.#starts.add(at);
    this.list.push([at, len]);
  }
}

function addMessage(file: Hdf5File, header: ObjectHeader, blocks: Blocks, m: HeaderMessage): void {
  if (m.type === MSG.CONTINUATION) {
    const c = messageCursor(file, m, "object header continuation message");
    const at = c.address();
    const len = c.length();
    if (at === UNDEF || len === 0) throw c.fail("continuation to an undefined or empty block");
    blocks.add(c, at, len);
    return;
  }
  if (m.type === MSG.NIL) return;
  // Bit 7: "fail if unknown (always)". Unknown types are otherwise ignorable by a reader.
  if ((m.flags & 0x80) !== 0 && m.type > 0x18) {
    const feature = `unknown object header message type ${m.type} marked "fail if unknown"`;
    throw file.unsupported(feature, "object header", m.origin + m.start);
  }
  header.messages.push(m);
}
