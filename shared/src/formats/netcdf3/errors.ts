/**
 * A netCDF classic header that cannot be read. The message names the file, what was expected,
 * the byte offset where reading stopped, and what to do about it.
 */
export class Netcdf3FormatError extends Error {
  override readonly name = "Netcdf3FormatError";
  constructor(
    readonly path: string,
    readonly offset: number,
    problem: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${problem} (at byte ${offset}); ${fix}`, options);
  }
}

/** The fix for a header cut short (the problem says "the header is truncated" itself). */
export const REPAIR_TRUNCATED = "re-copy the file from its source";
export const REPAIR_CORRUPT =
  "the header is corrupt or this is not a netCDF classic file: re-copy the file, or check it with `ncdump -h`";
