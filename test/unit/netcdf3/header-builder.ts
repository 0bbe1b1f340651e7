// Writes small netCDF classic headers by hand, for cases ncgen refuses to produce.

export type Version = 1 | 2 | 5;

export class HeaderBuilder {
  readonly #bytes: number[] = [];
  constructor(readonly version: Version) {
    this.raw(0x43, 0x44, 0x46, version);
  }

  raw(...bytes: number[]): this {
    this.#bytes.push(...bytes);
    return this;
  }

  u32(v: number): this {
    return this.raw((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }

  u64(v: number | bigint): this {
    const b = BigInt(v);
    return this.u32(Number(b >> 32n)).u32(Number(b & 0xffff_ffffn));
  }

  /** NON_NEG: 64-bit in CDF-5. */
  count(v: number): this {
    return this.version === 5 ? this.u64(v) : this.u32(v);
  }

  /** numrecs: NON_NEG, or STREAMING when every bit is set. */
  numrecs(v: number | bigint): this {
    return this.version === 5 ? this.u64(v) : this.u32(Number(v));
  }

  /** OFFSET: 64-bit in CDF-2 and CDF-5. */
  offset(v: number): this {
    return this.version === 1 ? this.u32(v) : this.u64(v);
  }

  pad(): this {
    while (this.#bytes.length % 4 !== 0) this.#bytes.push(0);
    return this;
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.count(b.length).raw(...b).pad();
  }

  list(tag: number, n: number): this {
    return this.u32(n === 0 ? 0 : tag).count(n);
  }

  dims(...dims: [string, number][]): this {
    this.list(0x0a, dims.length);
    for (const [n, len] of dims) this.name(n).count(len);
    return this;
  }

  /** attrs as [name, nc_type, raw big-endian value bytes, nelems]. */
  attrs(...attrs: [string, number, number[], number][]): this {
    this.list(0x0c, attrs.length);
    for (const [n, type, bytes, nelems] of attrs) this.name(n).u32(type).count(nelems).raw(...bytes).pad();
    return this;
  }

  noAttrs(): this {
    return this.attrs();
  }

  vars(n: number): this {
    return this.list(0x0b, n);
  }

  variable(name: string, dimids: number[], type: number, vsize: number, begin: number): this {
    this.name(name).count(dimids.length);
    for (const id of dimids) this.count(id);
    return this.noAttrs().u32(type).count(vsize).offset(begin);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** The header followed by `dataBytes` bytes counting up from 0 (mod 256). */
  build(dataBytes = 0): Uint8Array {
    const out = new Uint8Array(this.#bytes.length + dataBytes);
    out.set(this.#bytes);
    for (let i = 0; i < dataBytes; i++) out[this.#bytes.length + i] = i & 0xff;
    return out;
  }
}
