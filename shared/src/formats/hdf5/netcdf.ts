// netCDF-4 semantics on top of the HDF5 structure, as netCDF-C (ncdump) sees a file:
// dimension scales are dimensions, DIMENSION_LIST names each variable's axes, datasets without
// scales get netCDF-C's "phony_dim_N" dimensions, and library attributes are hidden.

import type { AttributeValue, DimensionInfo, VariableLayout } from "../layout.js";
import type { RawAttribute } from "./attributes.js";
import type { DatasetInfo } from "./dataset.js";
import type { Hdf5File } from "./file.js";
import type { H5Type } from "./datatype.js";
import { attributeValue, dimensionList, enumValue, textAttribute } from "./values.js";

export interface DatasetNode {
  path: string;
  name: string;
  info: DatasetInfo;
}

export interface GroupNode {
  path: string;
  attributes: RawAttribute[];
  datasets: DatasetNode[];
  groups: GroupNode[];
}

/** Attributes the HDF5 dimension-scale API and netCDF-C keep for themselves. */
export const INTERNAL = new Set([
  "CLASS",
  "NAME",
  "REFERENCE_LIST",
  "DIMENSION_LIST",
  "_Netcdf4Dimid",
  "_Netcdf4Coordinates",
  "_nc3_strict",
  "_NCProperties",
  "_SuperblockVersion",
  "_IsNetcdf4",
]);

const NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable";
const NON_COORD_PREFIX = "_nc4_non_coord_";

interface Dim extends DimensionInfo {
  id: number;
  group: string;
}

/** User-visible attributes (library internals removed), decoded. */
export function userAttributes(file: Hdf5File, attrs: RawAttribute[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const a of attrs) if (!INTERNAL.has(a.name)) out[a.name] = attributeValue(file, a);
  return out;
}

/** Names of the user-visible attributes stored as floating point (JSON cannot tell 1.0 from 1). */
export function floatAttributes(attrs: RawAttribute[]): string[] {
  return attrs.filter((a) => !INTERNAL.has(a.name) && a.type.cls === "float").map((a) => a.name);
}

/** An enumerated type's names and their values, in the type's order (netCDF4-python's `enum_dict`). */
function enumDictionary(file: Hdf5File, t: Extract<H5Type, { cls: "enum" }>): Record<string, number> {
  const out: Record<string, number> = {};
  t.names.forEach((name, i) => {
    out[name] = enumValue(file, t, t.values[i] as Uint8Array);
  });
  return out;
}

function find(attrs: RawAttribute[], name: string): RawAttribute | undefined {
  return attrs.find((a) => a.name === name);
}

function isScale(file: Hdf5File, d: DatasetNode): boolean {
  return d.info.space.dims.length === 1 && textAttribute(file, find(d.info.attributes, "CLASS")) === "DIMENSION_SCALE";
}

/**
 * An unlimited dimension is as long as the longest variable along it, as netCDF-C reports it:
 * its dimension scale is not extended when records are written, so a dimension without a
 * coordinate variable keeps a scale of length 0.
 */
function extendUnlimited(axisDims: Map<DatasetNode, Dim[]>): void {
  for (const [d, axes] of axisDims) {
    axes.forEach((dim, axis) => {
      const n = d.info.space.dims[axis] ?? 0;
      if (dim.unlimited && n > dim.size) dim.size = n;
    });
  }
}

export function netcdfView(file: Hdf5File, root: GroupNode): { variables: VariableLayout[]; dimensions: Dim[] } {
  const dims: Dim[] = [];
  const byScale = new Map<number, Dim>(); // scale dataset address → its dimension
  const groupDims = new Map<GroupNode, Dim[]>();
  const scaleIsVariable = new Map<DatasetNode, boolean>();
  let nextId = 0;
  let maxDimid = -1;

  // Pass 1, like netCDF-C's metadata read: each group's scales in link order, then subgroups.
  const readScales = (g: GroupNode): void => {
    const own: Dim[] = [];
    groupDims.set(g, own);
    for (const d of g.datasets) {
      if (!isScale(file, d)) continue;
      const name = textAttribute(file, find(d.info.attributes, "NAME")) ?? "";
      scaleIsVariable.set(d, !name.startsWith(NOT_A_VARIABLE));
      const dimid = find(d.info.attributes, "_Netcdf4Dimid");
      if (dimid) {
        const v = attributeValue(file, dimid);
        if (typeof v === "number") maxDimid = Math.max(maxDimid, v);
      }
      if (byScale.has(d.info.address)) continue; // a second link to the same scale
      const dim: Dim = {
        id: nextId++,
        name: d.name.startsWith(NON_COORD_PREFIX) ? d.name.slice(NON_COORD_PREFIX.length) : d.name,
        size: d.info.space.dims[0] as number,
        unlimited: d.info.space.maxDims[0] === null,
        group: g.path,
      };
      byScale.set(d.info.address, dim);
      own.push(dim);
      dims.push(dim);
    }
    g.groups.forEach(readScales);
  };
  readScales(root);
  nextId = Math.max(nextId, maxDimid + 1);

  // Pass 2, like netCDF-C's dimension-scale matching: subgroups first, then the group's
  // variables; a variable without scales gets phony dimensions of its group.
  const varDims = new Map<DatasetNode, string[]>();
  const axisDims = new Map<DatasetNode, Dim[]>();
  const matchScales = (g: GroupNode): void => {
    g.groups.forEach(matchScales);
    const own = groupDims.get(g) as Dim[];
    for (const d of g.datasets) {
      const shape = d.info.space.dims;
      if (scaleIsVariable.has(d)) {
        const dim = byScale.get(d.info.address) as Dim;
        varDims.set(d, [dim.name]);
        axisDims.set(d, [dim]);
        continue;
      }
      const listAttr = find(d.info.attributes, "DIMENSION_LIST");
      const attached = listAttr ? dimensionList(file, listAttr) : [];
      const names: string[] = [];
      const axes: Dim[] = [];
      const used = new Set<Dim>();
      shape.forEach((size, axis) => {
        const refs = attached[axis] ?? [];
        const scale = refs.map((r) => byScale.get(r)).find((x) => x !== undefined);
        if (scale) {
          names.push(scale.name);
          axes.push(scale);
          return;
        }
        const unlimited = d.info.space.maxDims[axis] === null;
        let dim = own.find((x) => x.size === size && x.unlimited === unlimited && !used.has(x));
        if (!dim) {
          dim = { id: nextId, name: `phony_dim_${nextId}`, size, unlimited, group: g.path };
          nextId++;
          own.push(dim);
          dims.push(dim);
        }
        used.add(dim);
        names.push(dim.name);
        axes.push(dim);
      });
      varDims.set(d, names);
      axisDims.set(d, axes);
    }
  };
  matchScales(root);
  extendUnlimited(axisDims);

  const variables: VariableLayout[] = [];
  const collect = (g: GroupNode): void => {
    for (const d of g.datasets) {
      const scale = scaleIsVariable.get(d);
      if (scale === false) continue; // a dimension without a coordinate variable
      const info = d.info;
      variables.push({
        path: d.path,
        name: d.name,
        dimensions: varDims.get(d) ?? [],
        shape: info.space.dims,
        maxShape: info.space.maxDims,
        dtype: info.dtype,
        chunkShape: info.chunkShape,
        filters: info.filters,
        storedFillValue: info.storedFillValue,
        attributes: userAttributes(file, info.attributes),
        floatAttributes: floatAttributes(info.attributes),
        isCoordinate: scale === true,
        storage: info.storage,
        ...(info.type.cls === "enum" ? { enumDict: enumDictionary(file, info.type) } : {}),
      });
    }
    g.groups.forEach(collect);
  };
  collect(root);
  dims.sort((a, b) => a.id - b.id);
  return { variables, dimensions: dims };
}
