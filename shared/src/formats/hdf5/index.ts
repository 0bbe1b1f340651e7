// HDF5 structure reader: dataset layouts (chunk offsets, filters, fill values) and netCDF-4
// dimensions, read through a ByteSource from the file's metadata only.

export { readHdf5Layout, isHdf5 } from "./reader.js";
export { Hdf5FormatError, Hdf5UnsupportedError } from "./errors.js";
