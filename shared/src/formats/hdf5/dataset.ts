// One dataset's layout from its object header: datatype, dataspace, fill value, filters,
// storage (compact bytes, contiguous extent or every stored chunk) and raw attributes.

import type { DataType, Filter, Storage } from "../layout.js";
import type { Hdf5File } from "./file.js";
import { readAttributes, type RawAttribute } from "./attributes.js";
import { readChunks } from "./chunks.js";
import { UNDEF } from "./cursor.js";
import { parseDatatype, toDataType, type H5Type } from "./datatype.js";
import { parseDataspace, parseFillValue, parseFilters, parseLayout, type Dataspace } from "./messages.js";
import { MSG, firstMessage, messageContent, type ObjectHeader } from "./object-header.js";
import { fillValue } from "./values.js";

export interface DatasetInfo {
  address: number;
  type: H5Type;
  dtype: DataType;
  space: Dataspace;
  chunkShape: number[] | null;
  filters: Filter[];
  storedFillValue: number | bigint | string | null;
  storage: Storage;
  /** All attributes, library-internal ones included (netCDF semantics need them). */
  attributes: RawAttribute[];
}

/** True when the object header describes a dataset. */
export function isDataset(h: ObjectHeader): boolean {
  return h.messages.some((m) => m.type === MSG.LAYOUT);
}

export function readDataset(file: Hdf5File, h: ObjectHeader): DatasetInfo {
  return file.memo("dataset", h.address, () => parseDataset(file, h));
}

function required(file: Hdf5File, h: ObjectHeader, type: number, what: string) {
  const m = firstMessage(h, type);
  if (!m) throw file.error("object header", h.address, `dataset without a ${what} message`);
  return messageContent(file, m, `${what} message`);
}

function parseDataset(file: Hdf5File, h: ObjectHeader): DatasetInfo {
  const typeCursor = required(file, h, MSG.DATATYPE, "datatype");
  const type = parseDatatype(typeCursor);
  const dtype = toDataType(type, typeCursor);
  const space = parseDataspace(required(file, h, MSG.DATASPACE, "dataspace"));
  const layoutCursor = required(file, h, MSG.LAYOUT, "data layout");
  const layoutAt = layoutCursor.offset;
  const layout = parseLayout(layoutCursor);
  if (firstMessage(h, MSG.EXTERNAL_FILES)) {
    throw file.unsupported("external data files (raw data outside this file)", "object header", h.address);
  }
  const filterMsg = firstMessage(h, MSG.FILTERS);
  const filters = filterMsg ? parseFilters(messageContent(file, filterMsg, "filter pipeline message")) : [];

  let storedFillValue: number | bigint | string | null = null;
  const fillMsg = firstMessage(h, MSG.FILL) ?? firstMessage(h, MSG.FILL_OLD);
  if (fillMsg) {
    const c = messageContent(file, fillMsg, "fill value message");
    const at = c.offset;
    const bytes = parseFillValue(c, fillMsg.type === MSG.FILL_OLD);
    // A compound, opaque, vlen or reference variable is refused by name later (../../strings/kinds.ts):
    // its fill value is never used, and must not stop the file's other variables being read.
    if (bytes && ["int", "float", "enum", "string", "vlen-string"].includes(type.cls)) storedFillValue = fillValue(file, type, bytes, at);
  }

  let storage: Storage;
  let chunkShape: number[] | null = null;
  if (layout.cls === "compact") {
    storage = { kind: "compact", data: layout.data.slice() };
  } else if (layout.cls === "contiguous") {
    storage =
      layout.address === UNDEF
        ? { kind: "unallocated" }
        : { kind: "contiguous", offset: layout.address, length: layout.size };
  } else {
    chunkShape = layout.chunk;
    if (layout.elementSize !== type.size) {
      const detail = `element size ${layout.elementSize} differs from the datatype size ${type.size}`;
      throw file.error("data layout message", layoutAt, detail);
    }
    const ctx = { layout, shape: space.dims, maxShape: space.maxDims, filters: filters.length, at: layoutAt };
    storage = readChunks(file, ctx);
  }
  const attributes = readAttributes(file, h);
  return { address: h.address, type, dtype, space, chunkShape, filters, storedFillValue, storage, attributes };
}
