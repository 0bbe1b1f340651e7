// Soft and external links: a dangling soft link is named for what it is and skipped with a
// warning naming the file and the link, as is an external link; the rest of the file is read as
// if the links were not there. Truth: h5py (which links exist, where they point, whether the HDF5
// library resolves them) and xarray (the product against the same file without the links).

import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import type { FileLayout, SkippedLink } from "../../../shared/src/formats/layout.js";
import { readLayout } from "../../../shared/src/formats/read-layout.js";
import { describeFile } from "../../../shared/src/h5/describe.js";
import { openHdf5 } from "../../../shared/src/h5/open.js";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";
import { addLinks, h5pyLinks, pythonHas, runPython, type LinkTruth } from "./truth.js";

const root = mkdtempSync(join(tmpdir(), "drover-links-"));

function netcdf(name: string, t0: number): string {
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  x = 3 ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  float t(time, x) ;
    t:units = "K" ;
data:
  time = ${seq(2, t0 + 0.5)} ;
  t = ${seq(6, t0 * 10)} ;

group: model {
  variables:
    int y(x) ;
  :title = "model" ;
  data:
    y = 1, 2, 3 ;
}
}
`,
  );
}

/** What the layout should report for each link h5py finds. */
function expected(truth: LinkTruth[]): SkippedLink[] {
  return truth
    .map((l): SkippedLink =>
      l.link === "ExternalLink"
        ? { kind: "external", path: l.path, target: l.target, file: l.filename ?? "" }
        : { kind: l.resolves ? "soft" : "dangling", path: l.path, target: l.target },
    )
    .sort((a, b) => a.path.localeCompare(b.path));
}

const sorted = (links: SkippedLink[] | undefined) => [...(links ?? [])].sort((a, b) => a.path.localeCompare(b.path));

/** The layout without what links change: every variable's path, dimensions, shape and storage; every group. */
const essence = (l: FileLayout) => ({ groups: l.groups, dimensions: l.dimensions, variables: l.variables, attributes: l.attributes });

const haveH5py = ncgenAvailable() && pythonHas("h5py", "numpy");
const havePython = haveH5py && pythonHasXarray();

describe.skipIf(!haveH5py)("links the reader does not follow", () => {
  /** A netCDF-C file, and a copy with a dangling soft link at the root and in a group, an external link and a soft link that resolves. */
  function pair(name: string, t0: number): { clean: string; linked: string; other: string } {
    const clean = netcdf(`${name}-clean`, t0);
    const other = netcdf(`${name}-other`, t0 + 100);
    const linked = join(root, `${name}.nc`);
    copyFileSync(clean, linked);
    addLinks(linked, {
      dangling: ["soft", "/nowhere"],
      "model/lost": ["soft", "/model/missing"],
      ext: ["external", other, "/t"],
      alias: ["soft", "/t"],
    });
    return { clean, linked, other };
  }

  it("reports each soft and external link of a netCDF-C file as h5py sees it, and reads the rest as without them", () => {
    const { clean, linked } = pair("nc", 0);
    const truth = h5pyLinks(linked);
    expect(truth.map((l) => [l.path, l.link, l.resolves])).toEqual(
      expect.arrayContaining([
        ["/dangling", "SoftLink", false],
        ["/model/lost", "SoftLink", false],
        ["/alias", "SoftLink", true],
        ["/ext", "ExternalLink", true],
      ]),
    );
    const { layout } = readLayout(linked);
    expect(sorted(layout.skippedLinks)).toEqual(expected(truth));
    expect(essence(layout)).toEqual(essence(readLayout(clean).layout));
  });

  it.each([
    ["symbol-table groups (h5py's default format)", "earliest"],
    ["dense link storage (libver latest, more than 8 links)", "latest"],
  ])("reads the links of %s", (_what, libver) => {
    const path = join(root, `h5py-${libver}.h5`);
    runPython(
      `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w", libver=sys.argv[2]) as f:
    for i in range(12):
        f[f"d{i:02d}"] = np.arange(3, dtype="f4")
    f["dangling"] = h5py.SoftLink("/nowhere")
    f["alias"] = h5py.SoftLink("d03")
    f["ext"] = h5py.ExternalLink("missing.h5", "/x")
    g = f.create_group("g")
    g["lost"] = h5py.SoftLink("/g/missing")
    g["up"] = h5py.SoftLink("/d01")
    g["through"] = h5py.SoftLink("/g/up")
print("{}")
`,
      [path, libver],
    );
    const truth = h5pyLinks(path);
    expect(truth).toHaveLength(6);
    const { layout } = readLayout(path);
    expect(sorted(layout.skippedLinks)).toEqual(expected(truth));
    expect(layout.variables.map((v) => v.path).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `/d${String(i).padStart(2, "0")}`));
  });

  it("shows the HDF5 library's view of dangling links to the validator (h5wasm)", async () => {
    const { linked } = pair("h5wasm", 0);
    const file = await openHdf5(linked);
    const info = await describeFile(file, linked);
    file.close();
    // h5wasm follows soft and external links it can resolve: only the dangling ones are left.
    expect(sorted(info.skippedLinks)).toEqual(expected(h5pyLinks(linked)).filter((l) => l.kind === "dangling"));
    expect(info.groups).toEqual([{ path: "/model", attributes: { title: "model" }, floatAttributes: [] }]);
  });

  it("scans with one warning per link naming the file and the link, and makes a product equal to the file without them", async () => {
    const a = pair("series-a", 0);
    const b = pair("series-b", 2);
    const files = [a.linked, b.linked];
    const config: ProjectConfig = { format: "kerchunk" };
    const work = join(root, "work");
    const scan = await scanProject("links", files, config, work);
    const issues = scan.inventory.issues;
    expect(issues.filter((i) => i.severity === "fatal")).toEqual([]);
    for (const f of files) {
      for (const link of expected(h5pyLinks(f))) {
        const code = { dangling: "dangling_link", external: "external_link", soft: "soft_link" }[link.kind];
        const found = issues.filter((i) => i.file === f && i.code === code && i.message.includes(` ${link.path} `));
        expect(found, `${code} for ${link.path} in ${f}: ${JSON.stringify(issues)}`).toHaveLength(1);
        const message = found[0]?.message ?? "";
        expect(found[0]?.severity).toBe("warning");
        expect(message).toContain(basename(f));
        expect(message).toContain(link.target);
        if (link.kind === "dangling") expect(message).toMatch(/dangling/);
        if (link.kind === "external") expect(message).toContain(link.file ?? "");
      }
    }
    const product = await computeProduct(scan.inventory, "kerchunk", work, () => {}, {});
    expect(product.summary.format).toBe("kerchunk");
    const v = await validateProduct({ project: "links", files, config, product: product.product, workDir: work });
    // The HDF5 library shows the variables behind the resolvable links, which the product leaves out.
    expect(v.summary.fatal).toEqual([]);
    expect([...v.summary.warnings].sort()).toEqual(["data_vars_alias_missing", "data_vars_ext_missing"]);
    if (havePython) expect(xarrayCompare(product.product, "time", [a.clean, b.clean])).toMatchObject({ groups: 1, problems: [] });
  });
});
