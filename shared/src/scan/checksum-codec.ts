import type { VariableInfo } from "../h5/describe.js";
import type { Issue, ProductFormat } from "../schemas.js";

/**
 * Variables whose references will name numcodecs' fletcher32 codec: netCDF-C applies HDF5's
 * fletcher32 checksum before compressing, so it sits inside the compressed bytes and must be a
 * codec (a checksum that ends the pipeline, as h5py writes it, is left out of each reference
 * instead). Python's numcodecs has that codec only from 0.12; a Zarr copy never needs it.
 */
export function checksumCodecIssues(vars: readonly VariableInfo[], format: ProductFormat | undefined): Issue[] {
  if (format === "zarr") return [];
  return vars
    .filter((v) => {
      const at = v.filters.indexOf("fletcher32");
      return at >= 0 && at < v.filters.length - 1;
    })
    .map((v) => ({
      severity: "warning" as const,
      code: "fletcher32_codec",
      message: `variable ${v.name}: its chunks carry HDF5's fletcher32 checksum inside the compressed bytes (netCDF-C writes it so), so the references name the fletcher32 codec, which Python's numcodecs has only from 0.12 (Debian 12 has 0.11); with an older one, make a Zarr copy instead (drover zarr, or the project's format zarr)`,
      variable: v.name,
    }));
}
