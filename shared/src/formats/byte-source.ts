import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LruPool } from "../lru.js";

/**
 * Positional, synchronous reads of a file's bytes. Layout readers parse metadata with many small
 * reads; a block cache turns them into a few large ones, and `bytesRead` says how much was read.
 */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /** Bytes [offset, offset + length). Throws a TruncatedFileError past the end of the file. */
  read(offset: number, length: number): Uint8Array;
  /** Total bytes fetched from the file so far (cache misses only). */
  readonly bytesRead: number;
  close(): void;
}

export class TruncatedFileError extends Error {
  override readonly name = "TruncatedFileError";
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly length: number,
    readonly size: number,
    /** Replaces the usual explanation (a file that shrank while it was read). */
    detail?: string,
  ) {
    super(
      detail !== undefined
        ? `${path}: ${detail}`
        : `${path}: needed bytes ${offset}..${offset + length} but the file has only ${size} bytes; ` +
            `it is truncated or not what its header says (re-copy it from the archive)`,
    );
  }
}

export interface FileSourceOptions {
  /** Size of each cached block read from disk. Default 8 KiB. */
  blockSize?: number;
  /** Blocks kept in the cache. Default 128. */
  maxBlocks?: number;
}

// Every file source still open in this thread. A task pool's thread runs task after task, and
// descriptors belong to the whole process: a reader that forgets to close (sources.ts's netCDF3
// reader did) would leak one per task, so the thread closes what is left after each task.
const openSources = new Set<ByteSource>();

/** Closes every file source still open; returns how many there were. */
export function closeOpenSources(): number {
  const left = [...openSources];
  for (const s of left) s.close();
  return left.length;
}

/** Opens `path` for positional reads through a small LRU block cache. */
export function openFileSource(path: string, options: FileSourceOptions = {}): ByteSource {
  // Small blocks: HDF5 metadata is scattered (object headers, B-tree nodes, heaps). On the bench
  // series, 64 KiB blocks read 4.5x the metadata's size, 8 KiB 1.7x, 4 KiB 1.5x in more reads.
  // Non-blocking, so that a FIFO given as a source is refused instead of waiting for a writer.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw Object.assign(new Error(`${path} is not a regular file`), { code: st.isDirectory() ? "EISDIR" : "ENOTREG" });
  }
  const size = st.size;
  const blockSize = options.blockSize ?? 8192;
  const maxBlocks = options.maxBlocks ?? 128;
  if (blockSize < 512) {
    closeSync(fd);
    throw new Error("blockSize must be at least 512");
  }
  if (maxBlocks < 1) {
    closeSync(fd);
    throw new Error("maxBlocks must be at least 1");
  }
  const blocks = new Map<number, Uint8Array>();
  let bytesRead = 0;
  // The size is taken once, at open: a read that ends early means the file shrank since.
  const changed = (at: number) =>
    new TruncatedFileError(path, at, 0, size, `the file changed while being read: it had ${size} bytes when opened but ends at byte ${at} now (is it still being written or replaced? re-copy it from the archive)`);

  // Consecutive reads mostly fall in the block read last: answered without touching the LRU.
  let lastN = -1;
  let lastBlock: Uint8Array | undefined;
  const block = (n: number): Uint8Array => {
    if (n === lastN && lastBlock) return lastBlock;
    const found = lru(n);
    lastN = n;
    lastBlock = found;
    return found;
  };
  const lru = (n: number): Uint8Array => {
    const hit = blocks.get(n);
    if (hit) {
      blocks.delete(n);
      blocks.set(n, hit);
      return hit;
    }
    const start = n * blockSize;
    const len = Math.min(blockSize, size - start);
    const buf = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const r = readSync(fd, buf, got, len - got, start + got);
      if (r === 0) break;
      got += r;
    }
    if (got < len) throw changed(start + got);
    bytesRead += got;
    blocks.set(n, buf);
    if (blocks.size > maxBlocks) {
      const oldest = blocks.keys().next().value;
      if (oldest !== undefined) blocks.delete(oldest);
    }
    return buf;
  };

  const source: ByteSource = {
    path,
    size,
    get bytesRead() {
      return bytesRead;
    },
    read(offset: number, length: number): Uint8Array {
      if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
        throw new TruncatedFileError(path, offset, length, size);
      }
      const first = Math.floor(offset / blockSize);
      const last = Math.floor((offset + length - 1) / blockSize);
      if (length === 0) return new Uint8Array(0);
      if (first === last) {
        const b = block(first);
        const at = offset - first * blockSize;
        return b.subarray(at, at + length);
      }
      if (length > blockSize * maxBlocks) {
        // Large reads (compact data, big heaps) bypass the cache.
        const out = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const r = readSync(fd, out, got, length - got, offset + got);
          if (r === 0) throw changed(offset + got);
          got += r;
        }
        bytesRead += length;
        return out;
      }
      const out = new Uint8Array(length);
      let pos = 0;
      for (let n = first; n <= last; n++) {
        const b = block(n);
        const from = n === first ? offset - n * blockSize : 0;
        const to = Math.min(b.length, offset + length - n * blockSize);
        out.set(b.subarray(from, to), pos);
        pos += to - from;
      }
      return out;
    },
    close() {
      // Once only: the descriptor's number may already belong to another file.
      if (!openSources.delete(source)) return;
      closeSync(fd);
    },
  };
  openSources.add(source);
  return source;
}

/** A ByteSource over bytes already in memory (tests, inline data). */
export function memorySource(bytes: Uint8Array, path = "<memory>"): ByteSource {
  return {
    path,
    size: bytes.length,
    bytesRead: 0,
    read(offset, length) {
      if (!(offset >= 0 && length >= 0 && offset + length <= bytes.length)) {
        throw new TruncatedFileError(path, offset, length, bytes.length);
      }
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

/** Keeps up to `max` sources open, closing the least recently used: projects may have thousands of files. */
export class SourcePool extends LruPool<ByteSource> {
  constructor(max = 64, opener: (path: string) => ByteSource = openFileSource) {
    super(max, opener, (s) => s.close());
  }
}
