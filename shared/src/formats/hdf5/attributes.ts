// Attribute messages (versions 1–3), in the object header or in dense storage (attribute info
// message → fractal heap + v2 B-tree of record type 8).

import { Cursor, UNDEF } from "./cursor.js";
import type { Hdf5File } from "./file.js";
import { walkBtree2 } from "./btree.js";
import { parseDatatype, type H5Type } from "./datatype.js";
import { fractalHeapObject } from "./fractal-heap.js";
import { parseDataspace, type Dataspace } from "./messages.js";
import {
  MSG,
  firstMessage,
  messageContent,
  readObjectHeader,
  sharedMessageAddress,
  type ObjectHeader,
} from "./object-header.js";

export interface RawAttribute {
  name: string;
  type: H5Type;
  space: Dataspace;
  /** Cursor over the attribute's raw data. */
  data: Cursor;
}

/** Every attribute of an object, header messages first, then dense storage. */
export function readAttributes(file: Hdf5File, h: ObjectHeader): RawAttribute[] {
  const out: RawAttribute[] = [];
  for (const m of h.messages) {
    if (m.type === MSG.ATTRIBUTE) out.push(parseAttribute(file, messageContent(file, m, "attribute message")));
    else if (m.type === MSG.ATTRIBUTE_INFO) {
      denseAttributes(file, messageContent(file, m, "attribute info message"), out);
    }
  }
  return out;
}

function denseAttributes(file: Hdf5File, c: Cursor, out: RawAttribute[]): void {
  const version = c.u8();
  if (version !== 0) throw c.unsupported(`attribute info message version ${version}`);
  const flags = c.u8();
  if (flags & 0x01) c.skip(2); // maximum creation index
  const heap = c.address();
  const nameIndex = c.address();
  if (heap === UNDEF || nameIndex === UNDEF) return;
  walkBtree2(file, nameIndex, [8], (rec) => {
    const id = rec.take(8);
    out.push(parseAttribute(file, fractalHeapObject(file, heap, id, "dense attribute message")));
  });
}

function padded(n: number, version: number): number {
  return version === 1 ? Math.ceil(n / 8) * 8 : n;
}

export function parseAttribute(file: Hdf5File, c: Cursor): RawAttribute {
  const start = c.offset;
  const version = c.u8();
  if (version < 1 || version > 3) throw c.unsupported(`attribute message version ${version}`, start);
  const flags = c.u8();
  const nameSize = c.u16();
  const typeSize = c.u16();
  const spaceSize = c.u16();
  if (version === 3) c.skip(1); // name character set
  const nameField = c.sub(padded(nameSize, version), "attribute name");
  const name = nameField.cstring();
  const typeField = c.sub(padded(typeSize, version), "attribute datatype");
  const type = flags & 0x01 ? committedType(file, typeField) : parseDatatype(typeField);
  const spaceField = c.sub(padded(spaceSize, version), "attribute dataspace");
  if (flags & 0x02) throw spaceField.unsupported("shared attribute dataspace");
  const space = parseDataspace(spaceField);
  let count = space.kind === "null" ? 0 : 1;
  for (const d of space.dims) count *= d;
  const data = c.sub(Math.min(c.remaining, count * type.size), `attribute "${name}" data`);
  if (data.remaining < count * type.size) throw data.fail(`attribute "${name}" data is shorter than its dataspace`);
  return { name, type, space, data };
}

/** The datatype of a committed (named) datatype object referenced by a shared message. */
export function committedType(file: Hdf5File, c: Cursor): H5Type {
  const address = sharedMessageAddress(c);
  return file.memo("committed datatype", address, () => {
    const m = firstMessage(readObjectHeader(file, address), MSG.DATATYPE);
    if (!m) throw c.fail(`no datatype message in the committed datatype at ${address}`);
    return parseDatatype(messageContent(file, m, "datatype message"));
  });
}
