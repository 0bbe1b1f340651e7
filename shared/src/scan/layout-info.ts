import type { FileInfo, ValueKind, VariableInfo } from "../h5/describe.js";
import type { FileLayout, VariableLayout } from "../formats/layout.js";

// The scan's view of a file (FileInfo) from the layout readers, so that planning is the same
// whichever reader looked at the file.

const filterNames: Record<number, string> = { 1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset", 32015: "zstd", 32001: "blosc", 307: "bzip2" };

export function valueKindOf(v: VariableLayout): { kind: ValueKind; dtype: string } {
  const t = v.dtype.typestr;
  const size = v.dtype.size;
  switch (v.dtype.kind) {
    case "float":
      return { kind: "float", dtype: `<f${size}` };
    case "int":
      return { kind: "int", dtype: size === 1 ? "|i1" : `<i${size}` };
    case "uint":
      return { kind: "uint", dtype: size === 1 ? "|u1" : `<u${size}` };
    case "char":
      return size === 1 ? { kind: "char", dtype: "|S1" } : { kind: "string", dtype: `|S${size}` };
    case "vlen-string":
      return { kind: "string", dtype: "|O" };
    case "enum": {
      // An enumeration is read as its base integer type (netCDF4-python does the same).
      const signed = t.includes("i");
      return { kind: signed ? "int" : "uint", dtype: size === 1 ? `|${signed ? "i" : "u"}1` : `<${signed ? "i" : "u"}${size}` };
    }
    default:
      return { kind: "other", dtype: t };
  }
}

export function layoutToFileInfo(layout: FileLayout, mtimeMs: number): FileInfo {
  const variables: VariableInfo[] = layout.variables.map((v) => ({
    name: v.name,
    path: v.path,
    dimensions: v.dimensions,
    shape: v.shape,
    unlimited: v.maxShape.map((m) => m === null),
    ...valueKindOf(v),
    storedDtype: v.dtype.typestr,
    chunks: v.chunkShape,
    filters: v.filters.map((f) => filterNames[f.id] ?? (f.name || `filter${f.id}`)),
    attributes: v.attributes,
    floatAttributes: v.floatAttributes ?? [],
    isCoordinate: v.isCoordinate,
    typeName: v.dtype.kind,
    ...(v.enumDict ? { enumDict: v.enumDict } : {}),
  }));
  return {
    path: layout.path,
    size: layout.size,
    mtimeMs,
    dimensions: layout.dimensions,
    attributes: layout.attributes,
    floatAttributes: layout.floatAttributes ?? [],
    groups: layout.groups.map((g) => ({ path: g.path, attributes: g.attributes, floatAttributes: g.floatAttributes ?? [] })),
    variables,
    ...(layout.skippedLinks ? { skippedLinks: layout.skippedLinks } : {}),
  };
}
