import type { ByteSource } from "../byte-source.js";
import type { ContainerFormat } from "../layout.js";

/** The version byte after "CDF": 1 classic (CDF-1), 2 64-bit offset (CDF-2), 5 64-bit data (CDF-5). */
export type Netcdf3Version = 1 | 2 | 5;

const FORMATS: Record<Netcdf3Version, ContainerFormat> = {
  1: "netcdf3-classic",
  2: "netcdf3-64bit-offset",
  5: "netcdf3-64bit-data",
};

/** The version from the first four bytes, or null when they are not "CDF" + 1, 2 or 5. */
export function versionOf(magic: Uint8Array): Netcdf3Version | null {
  if (magic.length < 4 || magic[0] !== 0x43 || magic[1] !== 0x44 || magic[2] !== 0x46) return null;
  const v = magic[3];
  return v === 1 || v === 2 || v === 5 ? v : null;
}

export function formatOf(version: Netcdf3Version): ContainerFormat {
  return FORMATS[version];
}

/** True when the source starts with the netCDF classic magic: "CDF" and version byte 1, 2 or 5. */
export function isNetcdf3(source: ByteSource): boolean {
  if (source.size < 4) return false;
  return versionOf(source.read(0, 4)) !== null;
}
