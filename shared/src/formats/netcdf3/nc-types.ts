import { exactInteger, type DataType } from "../layout.js";

/** An external netCDF type: the nc_type code in the header and how its values are stored. */
export interface NcType {
  code: number;
  name: string;
  dtype: Readonly<DataType>;
  /** Only CDF-5 (64-bit data) files may use this type. */
  cdf5Only: boolean;
}

export const NC_CHAR = 2;

const TYPES: readonly NcType[] = [
  { code: 1, name: "NC_BYTE", dtype: { kind: "int", typestr: "|i1", size: 1 }, cdf5Only: false },
  { code: NC_CHAR, name: "NC_CHAR", dtype: { kind: "char", typestr: "|S1", size: 1 }, cdf5Only: false },
  { code: 3, name: "NC_SHORT", dtype: { kind: "int", typestr: ">i2", size: 2 }, cdf5Only: false },
  { code: 4, name: "NC_INT", dtype: { kind: "int", typestr: ">i4", size: 4 }, cdf5Only: false },
  { code: 5, name: "NC_FLOAT", dtype: { kind: "float", typestr: ">f4", size: 4 }, cdf5Only: false },
  { code: 6, name: "NC_DOUBLE", dtype: { kind: "float", typestr: ">f8", size: 8 }, cdf5Only: false },
  { code: 7, name: "NC_UBYTE", dtype: { kind: "uint", typestr: "|u1", size: 1 }, cdf5Only: true },
  { code: 8, name: "NC_USHORT", dtype: { kind: "uint", typestr: ">u2", size: 2 }, cdf5Only: true },
  { code: 9, name: "NC_UINT", dtype: { kind: "uint", typestr: ">u4", size: 4 }, cdf5Only: true },
  { code: 10, name: "NC_INT64", dtype: { kind: "int", typestr: ">i8", size: 8 }, cdf5Only: true },
  { code: 11, name: "NC_UINT64", dtype: { kind: "uint", typestr: ">u8", size: 8 }, cdf5Only: true },
];

const BY_CODE = new Map(TYPES.map((t) => [t.code, t]));

export function ncTypeOf(code: number): NcType | undefined {
  return BY_CODE.get(code);
}

/**
 * Decodes `count` big-endian values of a numeric type. A 64-bit integer beyond 2^53 stays a
 * bigint (a double would round it).
 */
export function decodeNumbers(bytes: Uint8Array, type: NcType, count: number): (number | bigint)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number | bigint>(count);
  const size = type.dtype.size;
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (type.code) {
      case 1:
        out[i] = view.getInt8(at);
        break;
      case 3:
        out[i] = view.getInt16(at);
        break;
      case 4:
        out[i] = view.getInt32(at);
        break;
      case 5:
        out[i] = view.getFloat32(at);
        break;
      case 6:
        out[i] = view.getFloat64(at);
        break;
      case 7:
        out[i] = view.getUint8(at);
        break;
      case 8:
        out[i] = view.getUint16(at);
        break;
      case 9:
        out[i] = view.getUint32(at);
        break;
      case 10:
        out[i] = exactInteger(view.getBigInt64(at));
        break;
      case 11:
        out[i] = exactInteger(view.getBigUint64(at));
        break;
      default:
        throw new Error(`decodeNumbers: ${type.name} is not numeric`);
    }
  }
  return out;
}
