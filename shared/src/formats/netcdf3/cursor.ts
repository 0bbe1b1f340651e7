import type { ByteSource } from "../byte-source.js";
import { Netcdf3FormatError, REPAIR_CORRUPT, REPAIR_TRUNCATED } from "./errors.js";
import type { Netcdf3Version } from "./version.js";

const TWO_32 = 0x1_0000_0000;
/** The largest name or attribute value a header is taken to hold. */
export const MAX_FIELD_BYTES = 256 * 1024 * 1024;
const utf8 = new TextDecoder("utf-8");

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Sequential big-endian reader of a netCDF classic header. Integer widths follow the version:
 * counts (NON_NEG) are 64-bit in CDF-5, offsets are 64-bit in CDF-2 and CDF-5. Every read asks the
 * source for exactly the bytes it needs (the source's block cache batches them), so nothing past
 * the header is ever requested.
 */
export class HeaderCursor {
  #pos: number;

  constructor(
    readonly source: ByteSource,
    readonly version: Netcdf3Version,
    start: number,
  ) {
    this.#pos = start;
  }

  get position(): number {
    return this.#pos;
  }

  /** Bytes a NON_NEG count takes in this version. */
  get countSize(): number {
    return this.version === 5 ? 8 : 4;
  }

  /** Bytes after the current position. */
  get remaining(): number {
    return this.source.size - this.#pos;
  }

  fail(offset: number, problem: string, fix: string = REPAIR_CORRUPT): Netcdf3FormatError {
    return new Netcdf3FormatError(this.source.path, offset, problem, fix);
  }

  #truncated(what: string, bytes: number): Netcdf3FormatError {
    return this.fail(
      this.#pos,
      `the header is truncated: expected ${what} (${bytes} bytes) but the file ends at byte ${this.source.size}`,
      REPAIR_TRUNCATED,
    );
  }

  /** Throws when `n` items of at least `minBytes` each cannot fit in the rest of the file. */
  requireRoom(n: number, minBytes: number, what: string): void {
    if (n * minBytes > this.remaining) throw this.#truncated(`${n} ${what}`, n * minBytes);
  }

  /** The next `n` bytes, as a view into the source's buffers. */
  bytes(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw this.#truncated(what, n);
    // A read allocates what it asks for: in a file of tens of gigabytes, a corrupt count could
    // ask for gigabytes. No header field is anywhere near this large.
    if (n > MAX_FIELD_BYTES) throw this.fail(this.#pos, `${what} would take ${n} bytes, more than any header field has (${MAX_FIELD_BYTES})`);
    const out = this.source.read(this.#pos, n);
    this.#pos += n;
    return out;
  }

  uint32(what: string): number {
    return view(this.bytes(4, what)).getUint32(0);
  }

  /** An unsigned 64-bit value as a safe integer; larger values mean a corrupt header. */
  uint64(what: string): number {
    const start = this.#pos;
    const v = view(this.bytes(8, what));
    const high = v.getUint32(0);
    if (high > 0x1f_ffff) throw this.fail(start, `${what} is ${v.getBigUint64(0)}, larger than any real file allows`);
    return high * TWO_32 + v.getUint32(4);
  }

  /** A NON_NEG count or length: 32-bit, or 64-bit in CDF-5. */
  count(what: string): number {
    return this.version === 5 ? this.uint64(what) : this.uint32(what);
  }

  /** An OFFSET: 32-bit in CDF-1, 64-bit in CDF-2 and CDF-5. */
  offset(what: string): number {
    return this.version === 1 ? this.uint32(what) : this.uint64(what);
  }

  /** Skips the null padding after `n` bytes of values, to the next 4-byte boundary. */
  skipPadding(n: number, what: string): void {
    const pad = (4 - (n % 4)) % 4;
    if (pad > 0) this.bytes(pad, `padding after ${what}`);
  }

  /** name = nelems namestring padding, decoded as UTF-8. */
  name(what: string): string {
    const length = this.count(`the length of ${what}`);
    const text = utf8.decode(this.bytes(length, what));
    this.skipPadding(length, what);
    return text;
  }
}
