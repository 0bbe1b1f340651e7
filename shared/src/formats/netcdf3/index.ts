// netCDF classic-format headers (CDF-1 classic, CDF-2 64-bit offset, CDF-5 64-bit data) → FileLayout.
export { isNetcdf3 } from "./version.js";
export { readNetcdf3Layout } from "./read-layout.js";
export { Netcdf3FormatError } from "./errors.js";
