import type { AttributeValue } from "../layout.js";
import type { HeaderCursor } from "./cursor.js";
import { NC_CHAR, decodeNumbers, ncTypeOf } from "./nc-types.js";
import type { NcType } from "./nc-types.js";

const NC_ATTRIBUTE = 0x0c;
const utf8 = new TextDecoder("utf-8");

/** Reads the nc_type of an attribute or variable and checks it is allowed in this version. */
export function readNcType(cursor: HeaderCursor, owner: string): NcType {
  const at = cursor.position;
  const code = cursor.uint32(`the type of ${owner}`);
  const type = ncTypeOf(code);
  if (type === undefined || (type.cdf5Only && cursor.version !== 5)) {
    const allowed = cursor.version === 5 ? "1 to 11" : "1 to 6 (NC_BYTE..NC_DOUBLE)";
    throw cursor.fail(at, `expected an nc_type ${allowed} for ${owner} but found ${code}`);
  }
  return type;
}

/** Sets an own enumerable property, so that names like "__proto__" are kept as data. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeChars(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(0, end));
}

/**
 * att_list = ABSENT | NC_ATTRIBUTE nelems [attr ...]. NC_CHAR values become a string (trailing
 * NULs removed), numbers a number or, with several values, number[]; `floatAttributes` names the
 * NC_FLOAT and NC_DOUBLE ones (a JS number cannot tell 1000.f from the integer 1000).
 */
export function readAttributes(cursor: HeaderCursor, owner: string): { attributes: Record<string, AttributeValue>; floatAttributes: string[] } {
  const at = cursor.position;
  const tag = cursor.uint32(`the attribute list tag of ${owner}`);
  const n = cursor.count(`the number of attributes of ${owner}`);
  const out: Record<string, AttributeValue> = {};
  const floatAttributes: string[] = [];
  if (n === 0) return { attributes: out, floatAttributes }; // ABSENT (the reference library ignores the tag of an empty list)
  if (tag !== NC_ATTRIBUTE) {
    throw cursor.fail(at, `expected the attribute list tag NC_ATTRIBUTE (0x0000000C) for ${owner} but found 0x${tag.toString(16).padStart(8, "0")}`);
  }
  cursor.requireRoom(n, 4 + 2 * cursor.countSize, `attributes of ${owner}`);
  for (let i = 0; i < n; i++) {
    const name = cursor.name(`the name of attribute ${i} of ${owner}`);
    const what = `attribute "${name}" of ${owner}`;
    const type = readNcType(cursor, what);
    const count = cursor.count(`the number of values of ${what}`);
    const length = count * type.dtype.size;
    const bytes = cursor.bytes(length, `the values of ${what}`);
    cursor.skipPadding(length, `the values of ${what}`);
    if (type.code === NC_CHAR) {
      setOwn(out, name, decodeChars(bytes));
    } else {
      const values = decodeNumbers(bytes, type, count);
      setOwn(out, name, values.length === 1 ? (values[0] as number | bigint) : values);
      if (type.dtype.kind === "float") floatAttributes.push(name);
    }
  }
  return { attributes: out, floatAttributes };
}
