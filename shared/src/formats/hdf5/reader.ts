// Entry points: walks the group hierarchy from the root and describes every dataset with
// netCDF-4 semantics. Hard links are followed; soft and external links are not (the objects they
// name are either read under their own path or are not in this file) but are reported, so that
// a dangling link is named for what it is rather than mistaken for damage.

import type { ByteSource } from "../byte-source.js";
import type { FileLayout, GroupLayout, SkippedLink } from "../layout.js";
import { readAttributes } from "./attributes.js";
import { isDataset, readDataset } from "./dataset.js";
import { Hdf5File, findSuperblock } from "./file.js";
import { groupLinks, isGroup, type Link } from "./links.js";
import { floatAttributes, netcdfView, userAttributes, type GroupNode } from "./netcdf.js";
import { readObjectHeader, type ObjectHeader } from "./object-header.js";
import { resolveSoftLink } from "./soft-links.js";

/**
 * Group and dataset paths walked in one file. Hard links may make a lattice (two links to one
 * group, at every level): its paths double with each level, in a file of a few kilobytes.
 */
const MAX_PATHS = 100_000;

/** True when the file carries the HDF5 signature at 0, 512, 1024, 2048, … */
export function isHdf5(source: ByteSource): boolean {
  return findSuperblock(source) >= 0;
}

/** The layout of every dataset in an HDF5 (netCDF-4) file, read from its metadata only. */
export function readHdf5Layout(source: ByteSource): FileLayout {
  const file = new Hdf5File(source);
  const rootHeader = readObjectHeader(file, file.rootAddress);
  if (!isGroup(rootHeader)) throw file.error("object header", file.rootAddress, "the root object is not a group");
  const walked: Walked = { paths: 0, skipped: [] };
  const root = walk(file, rootHeader, "/", walked, new Set([rootHeader.address]));
  const { variables, dimensions } = netcdfView(file, root);
  const groups: GroupLayout[] = below(root).map((g) => ({
    path: g.path,
    attributes: userAttributes(file, g.attributes),
    floatAttributes: floatAttributes(g.attributes),
  }));
  return {
    format: "hdf5",
    path: source.path,
    size: source.size,
    groups,
    dimensions: dimensions.map(({ name, size, unlimited, group }) => ({ name, size, unlimited, group })),
    attributes: userAttributes(file, root.attributes),
    floatAttributes: floatAttributes(root.attributes),
    variables,
    ...(walked.skipped.length > 0 ? { skippedLinks: walked.skipped } : {}),
  };
}

interface Walked {
  /** Group and dataset paths walked so far. */
  paths: number;
  skipped: SkippedLink[];
}

/** The groups below `g`, each before its own subgroups. */
function below(g: GroupNode): GroupNode[] {
  return g.groups.flatMap((c) => [c, ...below(c)]);
}

/** A soft or external link as the layout reports it: dangling when its path names nothing. */
function skippedLink(file: Hdf5File, group: ObjectHeader, link: Link, path: string): SkippedLink | undefined {
  const target = link.target ?? "";
  if (link.kind === "external") return { kind: "external", path, target, file: link.file ?? "" };
  if (link.kind !== "soft") return undefined; // user-defined link types name nothing HDF5 can read
  return { kind: resolveSoftLink(file, group.address, target) === undefined ? "dangling" : "soft", path, target };
}

/** Walks a group; every path is walked (as netCDF-C does), except links back to an ancestor. */
function walk(file: Hdf5File, header: ObjectHeader, path: string, walked: Walked, ancestors: Set<number>): GroupNode {
  const node: GroupNode = { path, attributes: readAttributes(file, header), datasets: [], groups: [] };
  const prefix = path === "/" ? "/" : `${path}/`;
  for (const link of groupLinks(file, header)) {
    const childPath = prefix + link.name;
    if (link.kind !== "hard") {
      const skipped = skippedLink(file, header, link, childPath);
      if (skipped) walked.skipped.push(skipped);
      continue;
    }
    const child = readObjectHeader(file, link.address);
    if (++walked.paths > MAX_PATHS) throw file.error("group", header.address, `more than ${MAX_PATHS} object paths (hard links to the same objects many times over?)`);
    if (isDataset(child)) {
      node.datasets.push({ path: childPath, name: link.name, info: readDataset(file, child) });
    } else if (isGroup(child)) {
      if (ancestors.has(child.address)) continue; // a cycle
      ancestors.add(child.address);
      node.groups.push(walk(file, child, childPath, walked, ancestors));
      ancestors.delete(child.address);
    }
    // Anything else (committed datatypes) is not a dataset.
  }
  return node;
}
