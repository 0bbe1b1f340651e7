// The members of a group: symbol tables (v1 B-tree + "SNOD" nodes + local heap), link messages
// in the header (compact storage) and dense storage (link info → fractal heap + v2 B-tree).

import { Cursor, UNDEF, decodeText } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { walkBtree1, walkBtree2 } from "./btree.js";
import { fractalHeapObject } from "./fractal-heap.js";
import { localHeapData } from "./heaps.js";
import { MSG, messageCursor, type ObjectHeader } from "./object-header.js";

export interface Link {
  name: string;
  kind: "hard" | "soft" | "external" | "other";
  /** Object header address of a hard link's target. */
  address: number;
  /** Soft links: the path they name; external links: the object path in `file`. */
  target?: string;
  /** External links: the file they name. */
  file?: string;
  /** Creation order, when the group tracks it. */
  order: number;
}

/** True when the object header describes a group (old or new style). */
export function isGroup(h: ObjectHeader): boolean {
  return h.messages.some((m) => m.type === MSG.SYMBOL_TABLE || m.type === MSG.LINK_INFO);
}

/**
 * The group's links in the order netCDF-C iterates them: by creation order when the group
 * tracks it, otherwise by name (byte order).
 */
export function groupLinks(file: Hdf5File, h: ObjectHeader): Link[] {
  const links: Link[] = [];
  let byOrder = false;
  for (const m of h.messages) {
    if (m.type === MSG.LINK) {
      links.push(parseLink(messageCursor(file, m, "link message")));
    } else if (m.type === MSG.SYMBOL_TABLE) {
      const c = messageCursor(file, m, "symbol table message");
      symbolTableLinks(file, c.address(), c.address(), links);
    } else if (m.type === MSG.LINK_INFO) {
      const c = messageCursor(file, m, "link info message");
      const version = c.u8();
      if (version !== 0) throw c.unsupported(`link info message version ${version}`);
      const flags = c.u8();
      byOrder = (flags & 0x01) !== 0;
      if (flags & 0x01) c.skip(8); // maximum creation index
      const heap = c.address();
      const nameIndex = c.address();
      if (heap !== UNDEF) denseLinks(file, heap, nameIndex, links);
    }
  }
  if (byOrder) links.sort((a, b) => a.order - b.order);
  else links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return links;
}

export function parseLink(c: Cursor): Link {
  const version = c.u8();
  if (version !== 1) throw c.unsupported(`link message version ${version}`);
  const flags = c.u8();
  const type = flags & 0x08 ? c.u8() : 0;
  const order = flags & 0x04 ? c.u64() : 0;
  if (flags & 0x10) c.skip(1); // character set of the name
  const nameLength = c.uint(1 << (flags & 0x03));
  const raw = c.take(nameLength);
  const name = decodeText(raw, 0, raw.length);
  if (type === 0) return { name, kind: "hard", address: c.address(), order };
  if (type === 1) {
    const value = c.take(c.u16());
    return { name, kind: "soft", address: UNDEF, order, target: decodeText(value, 0, value.length) };
  }
  if (type === 64) {
    // External link information: a version-and-flags byte, then the file name and the object
    // path, each NUL-terminated.
    const info = c.sub(c.u16(), "external link information");
    const version = info.u8() >> 4;
    if (version !== 0) throw info.unsupported(`external link information version ${version}`);
    const file = info.cstring();
    return { name, kind: "external", address: UNDEF, order, file, target: info.cstring() };
  }
  return { name, kind: "other", address: UNDEF, order };
}

function symbolTableLinks(file: Hdf5File, btree: number, heap: number, links: Link[]): void {
  const names = localHeapData(file, heap);
  const entrySize = 2 * file.offsetSize + 24;
  walkBtree1(file, btree, 0, file.lengthSize, (_key, snod) => {
    const head = file.cursor(snod, 8, "symbol table node");
    head.signature("SNOD");
    const version = head.u8();
    if (version !== 1) throw head.fail(`symbol table node version ${version}`);
    head.skip(1);
    const count = head.u16();
    const c = file.cursor(snod + 8, count * entrySize, "symbol table node");
    for (let i = 0; i < count; i++) {
      const nameOffset = c.length();
      const address = c.address();
      const cacheType = c.u32();
      c.skip(4); // reserved
      const scratch = c.take(16);
      const name = new Cursor(file, names.bytes, names.origin, "local heap", nameOffset).cstring();
      if (cacheType === 2) {
        // A soft link: the scratch pad holds the offset of its value in the local heap.
        const valueOffset = new DataView(scratch.buffer, scratch.byteOffset, 4).getUint32(0, true);
        const target = new Cursor(file, names.bytes, names.origin, "local heap", valueOffset).cstring();
        links.push({ name, kind: "soft", address: UNDEF, order: 0, target });
      } else if (address === UNDEF) {
        links.push({ name, kind: "soft", address: UNDEF, order: 0, target: "" }); // names nothing
      } else links.push({ name, kind: "hard", address, order: 0 });
    }
  });
}

function denseLinks(file: Hdf5File, heap: number, nameIndex: number, links: Link[]): void {
  walkBtree2(file, nameIndex, [5], (rec) => {
    rec.skip(4); // name hash
    const id = rec.take(rec.remaining);
    links.push(parseLink(fractalHeapObject(file, heap, id, "dense link message")));
  });
}
