// Ground truth for the group and link tests, from the Python libraries built on netCDF-C and the
// HDF5 library (Debian's /usr/bin/python3): netCDF4-python for groups, their attributes and their
// variables' dimensions; h5py for links, and to add links to a file written by ncgen.

import { spawnSync } from "node:child_process";
import { PYTHON } from "../../helpers/python.js";

/** Whether `PYTHON` imports every module named; in CI a missing one fails instead of skipping. */
export function pythonHas(...modules: string[]): boolean {
  const r = spawnSync(PYTHON, ["-c", `import ${modules.join(", ")}`], { encoding: "utf8" });
  if (r.status === 0) return true;
  if (process.env["CI"] === "true") throw new Error(`${PYTHON} cannot import ${modules.join(", ")}: install Debian's python3 packages for them`);
  console.warn(`SKIPPED: ${PYTHON} cannot import ${modules.join(", ")}`);
  return false;
}

/** Runs a Python script with arguments and parses the JSON it prints last. */
export function runPython<T>(script: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as T;
}

export interface GroupTruth {
  /** Path without the leading "/", e.g. "model/deeper". */
  path: string;
  attrs: Record<string, unknown>;
  /** Attributes netCDF-C stores as floating point. */
  float_attrs: string[];
  /** Each variable of the group and its dimension names, as netCDF-C reports them. */
  variables: Record<string, string[]>;
}

const NETCDF_GROUPS = `
import json, sys
import netCDF4, numpy as np

def plain(v):
    return v.tolist() if isinstance(v, (np.ndarray, np.generic)) else v

def is_float(v):
    return isinstance(v, (float, np.floating)) or (isinstance(v, np.ndarray) and v.dtype.kind == "f")

out = []
def walk(g, prefix):
    for name, sub in g.groups.items():
        attrs = {k: sub.getncattr(k) for k in sub.ncattrs()}
        out.append({
            "path": prefix + name,
            "attrs": {k: plain(v) for k, v in attrs.items()},
            "float_attrs": [k for k, v in attrs.items() if is_float(v)],
            "variables": {n: list(v.dimensions) for n, v in sub.variables.items()},
        })
        walk(sub, prefix + name + "/")

with netCDF4.Dataset(sys.argv[1]) as d:
    walk(d, "")
print(json.dumps(out))
`;

/** Every group below the root of a netCDF-4 file, parents first, as netCDF4-python reads it. */
export function netcdfGroups(path: string): GroupTruth[] {
  return runPython<GroupTruth[]>(NETCDF_GROUPS, [path]);
}

export interface LinkTruth {
  path: string;
  /** h5py's class of the link: SoftLink or ExternalLink. */
  link: "SoftLink" | "ExternalLink";
  /** The path the link names (in this file, or in `filename`). */
  target: string;
  filename: string | null;
  /** Whether the HDF5 library finds an object through the link. */
  resolves: boolean;
}

const H5PY_LINKS = `
import json, sys
import h5py

out = []
with h5py.File(sys.argv[1], "r") as f:
    def walk(g):
        for name in g:
            link = g.get(name, getlink=True)
            path = (g.name.rstrip("/") + "/" + name)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                try:
                    resolves = g.get(name) is not None
                except Exception:
                    resolves = False
                out.append({
                    "path": path,
                    "link": type(link).__name__,
                    "target": link.path,
                    "filename": getattr(link, "filename", None),
                    "resolves": resolves,
                })
            elif isinstance(link, h5py.HardLink) and isinstance(g[name], h5py.Group):
                walk(g[name])
    walk(f)
print(json.dumps(out))
`;

/** Every soft and external link of an HDF5 file (hard-linked groups walked), as h5py sees them. */
export function h5pyLinks(path: string): LinkTruth[] {
  return runPython<LinkTruth[]>(H5PY_LINKS, [path]);
}

/** Adds links to an existing HDF5 file with h5py: path → ["soft", target] or ["external", file, target]. */
export function addLinks(path: string, links: Record<string, ["soft", string] | ["external", string, string]>): void {
  runPython(
    `
import json, sys
import h5py
with h5py.File(sys.argv[1], "a") as f:
    for name, spec in json.loads(sys.argv[2]).items():
        f[name] = h5py.SoftLink(spec[1]) if spec[0] == "soft" else h5py.ExternalLink(spec[1], spec[2])
print("{}")
`,
    [path, JSON.stringify(links)],
  );
}
