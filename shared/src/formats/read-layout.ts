import { DroverError, sourceOpenError } from "../errors.js";
import { openFileSource, TruncatedFileError, type ByteSource } from "./byte-source.js";
import { Hdf5FormatError, Hdf5UnsupportedError, isHdf5, readHdf5Layout } from "./hdf5/index.js";
import type { FileLayout } from "./layout.js";
import { isNetcdf3, Netcdf3FormatError, readNetcdf3Layout } from "./netcdf3/index.js";

// Any supported file → its layout, by what its first bytes say. Errors become DroverErrors that
// name the file: SourceFormatError for a damaged file, UnsupportedFeatureError for a feature the
// readers do not cover (callers may fall back to h5wasm for those).

export function readLayoutFrom(src: ByteSource): FileLayout {
  return asSourceError(src.path, () => {
    if (src.size === 0) throw new DroverError("SourceFormatError", `${src.path}: file is empty (0 bytes); re-copy it from the archive`, { file: src.path });
    if (isNetcdf3(src)) return readNetcdf3Layout(src);
    if (isHdf5(src)) return readHdf5Layout(src);
    throw new DroverError("SourceFormatError", `${src.path}: not a netCDF or HDF5 file (no netCDF3 magic, no HDF5 signature); it is corrupt or of another format`, { file: src.path });
  });
}

/**
 * Runs `f`, which reads `path` through drover's readers (its layout, or values by it), and turns
 * what those readers throw into errors naming the file: a damaged or truncated file is a
 * SourceFormatError (whose fix is to re-copy it), a feature they do not cover an
 * UnsupportedFeatureError.
 */
export function asSourceError<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DroverError) throw e;
    if (e instanceof Hdf5UnsupportedError) throw new DroverError("UnsupportedFeatureError", e.message, { file: path, cause: e });
    if (e instanceof Hdf5FormatError || e instanceof Netcdf3FormatError || e instanceof TruncatedFileError) {
      // The fix once: the readers' messages often say already what is wrong with the file.
      const fix = /re-copy/.test(e.message) ? "" : /truncated|damaged|corrupt/.test(e.message) ? "; re-copy it from the archive" : "; the file is damaged or truncated: re-copy it from the archive";
      throw new DroverError("SourceFormatError", `${e.message}${fix}`, { file: path, cause: e });
    }
    throw e;
  }
}

/** Opens a source file, turning "not there" and other failures into errors that name the file. */
export function openChecked(path: string): ByteSource {
  try {
    return openFileSource(path);
  } catch (e) {
    throw sourceOpenError(path, e);
  }
}

/** Opens, reads the layout, closes. */
export function readLayout(path: string): { layout: FileLayout; bytesRead: number } {
  const src = openChecked(path);
  try {
    return { layout: readLayoutFrom(src), bytesRead: src.bytesRead };
  } finally {
    src.close();
  }
}
