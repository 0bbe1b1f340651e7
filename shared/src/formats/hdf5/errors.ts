// Errors of the HDF5 structure reader. Every message names the file, the structure being read
// and the absolute file offset, so that a failure in a batch of thousands of files can be traced.

/** The file is not HDF5, or a structure in it is damaged or inconsistent. */
export class Hdf5FormatError extends Error {
  override name: string = "Hdf5FormatError";
  constructor(
    /** Path of the file being read. */
    readonly path: string,
    /** The on-disk structure, e.g. "superblock", "object header", "fractal heap direct block". */
    readonly structure: string,
    /** Absolute file offset of the structure (or of the field that is wrong). */
    readonly offset: number,
    detail: string,
  ) {
    super(`${path}: ${structure} at offset ${offset}: ${detail}`);
  }
}

/**
 * A valid HDF5 feature this reader does not decode. Raised instead of returning a partial or
 * guessed layout; `feature` names it (e.g. "virtual dataset layout", "superblock version 4").
 */
export class Hdf5UnsupportedError extends Hdf5FormatError {
  override name: string = "Hdf5UnsupportedError";
  constructor(
    path: string,
    readonly feature: string,
    structure: string,
    offset: number,
  ) {
    super(path, structure, offset, `unsupported HDF5 feature: ${feature}`);
  }
}
