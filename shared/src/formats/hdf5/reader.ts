// Entry points: walks the group hierarchy from the root (hard links only; soft and external
// links name no dataset of this file) and describes every dataset with netCDF-4 semantics.

import type { ByteSource } from "../byte-source.js";
import type { FileLayout } from "../layout.js";
import { readAttributes } from "./attributes.js";
import { isDataset, readDataset } from "./dataset.js";
import { Hdf5File, findSuperblock } from "./file.js";
import { groupLinks, isGroup } from "./links.js";
import { floatAttributes, netcdfView, userAttributes, type GroupNode } from "./netcdf.js";
import { readObjectHeader, type ObjectHeader } from "./object-header.js";

const MAX_GROUPS = 100_000;

/** True when the file carries the HDF5 signature at 0, 512, 1024, 2048, … */
export function isHdf5(source: ByteSource): boolean {
  return findSuperblock(source) >= 0;
}

/** The layout of every dataset in an HDF5 (netCDF-4) file, read from its metadata only. */
export function readHdf5Layout(source: ByteSource): FileLayout {
  const file = new Hdf5File(source);
  const rootHeader = readObjectHeader(file, file.rootAddress);
  if (!isGroup(rootHeader)) throw file.error("object header", file.rootAddress, "the root object is not a group");
  const groups: string[] = [];
  const root = walk(file, rootHeader, "/", groups, new Set([rootHeader.address]));
  const { variables, dimensions } = netcdfView(file, root);
  return {
    format: "hdf5",
    path: source.path,
    size: source.size,
    groups,
    dimensions: dimensions.map(({ name, size, unlimited }) => ({ name, size, unlimited })),
    attributes: userAttributes(file, root.attributes),
    floatAttributes: floatAttributes(root.attributes),
    variables,
  };
}

/** Walks a group; every path is walked (as netCDF-C does), except links back to an ancestor. */
function walk(file: Hdf5File, header: ObjectHeader, path: string, groups: string[], ancestors: Set<number>): GroupNode {
  const node: GroupNode = { path, attributes: readAttributes(file, header), datasets: [], groups: [] };
  const prefix = path === "/" ? "/" : `${path}/`;
  for (const link of groupLinks(file, header)) {
    if (link.kind !== "hard") continue;
    const child = readObjectHeader(file, link.address);
    const childPath = prefix + link.name;
    if (isDataset(child)) {
      node.datasets.push({ path: childPath, name: link.name, info: readDataset(file, child) });
    } else if (isGroup(child)) {
      if (ancestors.has(child.address)) continue; // a cycle
      if (groups.length >= MAX_GROUPS) throw file.error("group", child.address, `more than ${MAX_GROUPS} group paths`);
      groups.push(childPath);
      ancestors.add(child.address);
      node.groups.push(walk(file, child, childPath, groups, ancestors));
      ancestors.delete(child.address);
    }
    // Anything else (committed datatypes) is not a dataset.
  }
  return node;
}
