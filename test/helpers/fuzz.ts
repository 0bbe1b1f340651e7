// Seeded mutation of real HDF5 and netCDF3 files, for the reader fuzz test
// (test/faults/fuzz-readers.test.ts). Pure and deterministic: the same base bytes, seed, format and
// mutant number always give the same mutant, so a failure is reproduced from those four alone
// (`mutantOf`). No Node-specific imports: the fuzz child process bundles this file.

export type FuzzFormat = "hdf5" | "netcdf3";

/** 32-bit FNV-1a of a string: turns (seed, format, mutant number) into a stream seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A small PRNG of our own: xorshift128 over four 32-bit words, seeded through a splitmix-style
 * scrambler so that neighbouring seeds give unrelated streams.
 */
export class Rng {
  #s = new Uint32Array(4);

  constructor(seed: number) {
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (t ^ (t >>> 16)) >>> 0;
    }
    if (this.#s.every((w) => w === 0)) this.#s[0] = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const s = this.#s;
    let t = s[3] as number;
    const x = s[0] as number;
    s[3] = s[2] as number;
    s[2] = s[1] as number;
    s[1] = x;
    t ^= t << 11;
    t ^= t >>> 8;
    s[0] = (t ^ x ^ (x >>> 19)) >>> 0;
    return s[0] as number;
  }

  /** An integer in [0, n); 0 when n <= 0. */
  int(n: number): number {
    if (n <= 1) return 0;
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** Where the structures of a base file are: computed once per corpus file. */
export interface Anatomy {
  format: FuzzFormat;
  size: number;
  /** HDF5: offsets of the 4-byte signatures of metadata structures ("OHDR", "TREE", …). */
  signatures: number[];
  /** HDF5: offsets of 8-byte (or 4-byte) little-endian fields whose value is a signature offset. */
  pointers: { at: number; width: 4 | 8 }[];
  /** Bytes at the start that hold metadata for sure (netCDF3: the header; HDF5: the first 4 KiB). */
  head: number;
  /**
   * Offsets of fields in metadata whose value is small and not 0 (1..65535): most are sizes,
   * counts and dimensions (HDF5: 8-byte little-endian; netCDF3: 4-byte big-endian).
   */
  small: number[];
}

const SIGNATURES = ["OHDR", "OCHK", "TREE", "BTHD", "BTIN", "BTLF", "FRHP", "FHDB", "FHIB", "HEAP", "GCOL", "SNOD", "FAHD", "FADB", "EAHD", "EAIB", "EASB", "EADB"];

function findAll(bytes: Uint8Array, word: string): number[] {
  const out: number[] = [];
  const c0 = word.charCodeAt(0);
  for (let i = 0; i + word.length <= bytes.length; i++) {
    if (bytes[i] !== c0) continue;
    let ok = true;
    for (let k = 1; k < word.length; k++) {
      if (bytes[i + k] !== word.charCodeAt(k)) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(i);
  }
  return out;
}

/** Finds the structures of a base file, so that mutations can aim at metadata. */
export function anatomy(bytes: Uint8Array, format: FuzzFormat): Anatomy {
  if (format === "netcdf3") {
    // The header ends where the first variable's data begins; without parsing, take the first
    // KiB or the whole file if smaller (small files are mostly header).
    const head = Math.min(bytes.length, 1024);
    const small: number[] = [];
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 4; i + 4 <= head; i += 4) {
      const n = v.getUint32(i);
      if (n > 0 && n < 65536) small.push(i);
    }
    return { format, size: bytes.length, signatures: [], pointers: [], head, small };
  }
  const signatures = SIGNATURES.flatMap((s) => findAll(bytes, s)).sort((a, b) => a - b);
  // Where the superblock is (0 or after a user block): its addresses count from there.
  let base = 0;
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (bytes[at] === 0x89 && bytes[at + 1] === 0x48 && bytes[at + 2] === 0x44 && bytes[at + 3] === 0x46) {
      base = at;
      break;
    }
  }
  const targets = new Set(signatures.map((s) => s - base));
  targets.add(0);
  const pointers: { at: number; width: 4 | 8 }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 8 <= bytes.length; i++) {
    const lo = view.getUint32(i, true);
    if (lo === 0 || lo >= bytes.length) continue;
    if (!targets.has(lo)) continue;
    pointers.push({ at: i, width: view.getUint32(i + 4, true) === 0 ? 8 : 4 });
  }
  const head = Math.min(bytes.length, 4096);
  const inMetadata = (i: number) => i < head || signatures.some((s) => i >= s && i < s + 256);
  const small: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    const lo = view.getUint32(i, true);
    if (lo === 0 || lo >= 65536 || view.getUint32(i + 4, true) !== 0) continue;
    if (inMetadata(i)) small.push(i);
  }
  return { format, size: bytes.length, signatures, pointers, head, small };
}

/** One mutant: its bytes and what was done, step by step (for the failure report). */
export interface Mutant {
  bytes: Uint8Array;
  steps: string[];
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of `value` in `width` bytes, little- or big-endian (values up to 2^53). */
function encode(value: number, width: number, little: boolean): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < width; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return little ? out : out.reverse();
}

/** Mutations that replace bytes in place (the buffer keeps its length). */
type InPlace = (b: Uint8Array, a: Anatomy, r: Rng) => string;

/** A position, mostly in the head (where metadata lives), sometimes anywhere. */
function position(b: Uint8Array, a: Anatomy, r: Rng): number {
  return r.chance(0.7) ? r.int(Math.min(a.head, b.length)) : r.int(b.length);
}

function write(b: Uint8Array, at: number, values: number[]): void {
  for (let i = 0; i < values.length && at + i < b.length; i++) b[at + i] = values[i] as number;
}

const bitFlip: InPlace = (b, a, r) => {
  const at = position(b, a, r);
  const bit = r.int(8);
  b[at] = ((b[at] as number) ^ (1 << bit)) & 0xff;
  return `flip bit ${bit} of byte ${at}`;
};

const interesting: InPlace = (b, a, r) => {
  const at = position(b, a, r);
  const v = r.pick(INTERESTING_BYTES);
  const n = r.pick([1, 1, 2, 4]);
  write(b, at, new Array<number>(n).fill(v));
  return `set ${n} byte(s) at ${at} to 0x${v.toString(16)}`;
};

const overwrite: InPlace = (b, a, r) => {
  const at = position(b, a, r);
  const n = r.range(1, 8);
  const values = Array.from({ length: n }, () => r.int(256));
  write(b, at, values);
  return `overwrite ${n} byte(s) at ${at} with ${hex(values)}`;
};

/** A size, count or length field set to something huge or off by a little. */
const hugeField: InPlace = (b, a, r) => {
  const little = a.format === "hdf5";
  let at: number;
  let width: number;
  if (a.format === "netcdf3") {
    // Header fields are 4-byte aligned (8 in CDF-5, still 4-aligned).
    at = 4 * r.int(Math.max(1, Math.floor(Math.min(a.head, b.length) / 4)));
    width = r.pick([4, 4, 8]);
  } else {
    at = position(b, a, r);
    width = r.pick([2, 4, 8]);
  }
  const max = 2 ** (8 * Math.min(width, 6)) - 1;
  const value = r.pick([max, 2 ** (8 * width - 1) - 1, 2 ** (8 * Math.min(width, 6) - 1), a.size, a.size + 1, a.size * 2, 2 ** 31, 2 ** 32 - 1, 0, 1, r.int(64)]);
  const bytes = r.chance(0.15) ? new Array<number>(width).fill(0xff) : encode(Math.min(value, max), width, little);
  write(b, at, bytes);
  return `set ${width}-byte ${little ? "LE" : "BE"} field at ${at} to ${hex(bytes)}`;
};

/** A small field (a size, count or dimension, most likely) made large: by a power of two, or to the limit. */
const growField: InPlace = (b, a, r) => {
  if (a.small.length === 0) return hugeField(b, a, r);
  const at = r.pick(a.small);
  const little = a.format === "hdf5";
  const width = little ? 8 : 4;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (at + width > b.length) return `nothing: field at ${at} is past the end`;
  const old = little ? view.getUint32(at, true) : view.getUint32(at);
  const max = little ? 2 ** 53 - 1 : 2 ** 32 - 1;
  const value = Math.min(max, r.pick([old + 1, old * 2, old * 2 ** r.range(4, 20), old + 2 ** r.range(8, little ? 48 : 31), max]));
  write(b, at, encode(value, width, little));
  return `set the ${width}-byte field at ${at} from ${old} to ${value}`;
};

/** Damages a field just after a structure signature (versions, flags, sizes, addresses). */
const structureField: InPlace = (b, a, r) => {
  if (a.signatures.length === 0) return hugeField(b, a, r);
  const sig = r.pick(a.signatures);
  const at = sig + 4 + r.int(48);
  if (at >= b.length) return `nothing: field at ${at} is past the end`;
  const how = r.int(3);
  if (how === 0) {
    b[at] = r.pick(INTERESTING_BYTES);
    return `set byte ${at} (signature at ${sig} + ${at - sig}) to 0x${(b[at] as number).toString(16)}`;
  }
  if (how === 1) {
    b[at] = ((b[at] as number) ^ (1 << r.int(8))) & 0xff;
    return `flip a bit of byte ${at} (signature at ${sig} + ${at - sig})`;
  }
  const width = r.pick([2, 4, 8]);
  const values = r.chance(0.5) ? new Array<number>(width).fill(0xff) : encode(r.pick([a.size, a.size * 4, 2 ** 31, 65535, 0]), width, true);
  write(b, at, values);
  return `set ${width} bytes at ${at} (signature at ${sig} + ${at - sig}) to ${hex(values)}`;
};

/** Points an address at another structure, or back at the one holding it (cycles, type confusion). */
const pointerSwap: InPlace = (b, a, r) => {
  if (a.pointers.length === 0 || a.signatures.length === 0) return structureField(b, a, r);
  const p = r.pick(a.pointers);
  let target: number;
  if (r.chance(0.4)) {
    // The structure that holds the pointer: a cycle.
    let holder = 0;
    for (const s of a.signatures) if (s <= p.at) holder = s;
    target = holder;
  } else target = r.pick(a.signatures);
  const base = (() => {
    for (let at = 0; at + 8 <= b.length; at = at === 0 ? 512 : at * 2) if (b[at] === 0x89 && b[at + 1] === 0x48) return at;
    return 0;
  })();
  const rel = Math.max(0, target - base);
  write(b, p.at, encode(rel, p.width, true));
  return `set the ${p.width}-byte address at ${p.at} to ${rel} (structure at ${target})`;
};

/** Mutations that change the length: the result replaces the buffer. */
type Resize = (b: Uint8Array, a: Anatomy, r: Rng) => { bytes: Uint8Array; step: string };

const truncate: Resize = (b, _a, r) => {
  const at = r.chance(0.5) ? r.int(Math.min(b.length, 4096)) : r.int(b.length);
  return { bytes: b.slice(0, at), step: `truncate to ${at} bytes` };
};

const duplicate: Resize = (b, a, r) => {
  const from = position(b, a, r);
  const len = Math.min(r.pick([1, 4, 8, 16, 64, 512]), b.length - from);
  const to = position(b, a, r);
  const out = new Uint8Array(b.length + len);
  out.set(b.subarray(0, to), 0);
  out.set(b.subarray(from, from + len), to);
  out.set(b.subarray(to), to + len);
  return { bytes: out, step: `insert a copy of bytes ${from}..${from + len} at ${to}` };
};

const remove: Resize = (b, a, r) => {
  const from = position(b, a, r);
  const len = Math.min(r.pick([1, 4, 8, 16, 64, 512]), b.length - from);
  const out = new Uint8Array(b.length - len);
  out.set(b.subarray(0, from), 0);
  out.set(b.subarray(from + len), from);
  return { bytes: out, step: `remove bytes ${from}..${from + len}` };
};

const IN_PLACE: [InPlace, number][] = [
  [bitFlip, 3],
  [interesting, 3],
  [overwrite, 3],
  [hugeField, 4],
  [structureField, 4],
  [pointerSwap, 3],
  [growField, 4],
];
const RESIZE: [Resize, number][] = [
  [truncate, 2],
  [duplicate, 1],
  [remove, 1],
];

function weighted<T>(items: [T, number][], r: Rng): T {
  const total = items.reduce((n, [, w]) => n + w, 0);
  let x = r.int(total);
  for (const [item, w] of items) {
    if (x < w) return item;
    x -= w;
  }
  return (items[0] as [T, number])[0];
}

/** One to four mutations of `base` (never modified), driven by `rng`. */
export function mutate(base: Uint8Array, a: Anatomy, rng: Rng): Mutant {
  let bytes: Uint8Array = base.slice();
  const steps: string[] = [];
  const n = rng.chance(0.6) ? 1 : rng.chance(0.6) ? 2 : rng.range(3, 4);
  for (let i = 0; i < n && bytes.length > 0; i++) {
    if (rng.chance(0.2)) {
      const r = weighted(RESIZE, rng)(bytes, a, rng);
      bytes = r.bytes;
      steps.push(r.step);
    } else steps.push(weighted(IN_PLACE, rng)(bytes, a, rng));
  }
  return { bytes, steps };
}

/** The seed of one mutant's random stream. */
export function mutantSeed(seed: number, format: FuzzFormat, index: number): number {
  return hash32(`${seed}:${format}:${index}`);
}

/** Which corpus file mutant `index` starts from (round robin over the format's files). */
export function corpusIndex(index: number, files: number): number {
  return index % files;
}

/** Mutant `index` of `format` for `seed`: the whole recipe of a reproduction. */
export function mutantOf(base: Uint8Array, a: Anatomy, seed: number, format: FuzzFormat, index: number): Mutant {
  return mutate(base, a, new Rng(mutantSeed(seed, format, index)));
}
