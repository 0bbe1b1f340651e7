// Groups of netCDF-4 files in the products: every group (with only attributes, or nothing at all
// included) keeps its attributes and its variables' bare dimension names, in references and in
// Zarr copies, as netCDF4-python and xarray (`group=`) see the sources; and the validator notices
// a product that lacks any of them.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";
import { netcdfGroups, pythonHas, type GroupTruth } from "./truth.js";

const root = mkdtempSync(join(tmpdir(), "drover-groups-"));

/**
 * A netCDF-4 file with nested groups: "model" (own dimensions — one named like a root dimension
 * but of another size — variables and attributes of three types), "model/deeper" (a variable on
 * its parent's dimension), "attrs_only" (attributes, nothing else) and "empty".
 */
function grouped(name: string, t0: number, rootX = 3): string {
  const steps = 2;
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  x = ${rootX} ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  float t(time, x) ;
    t:units = "K" ;
  :title = "root of ${name}" ;
data:
  time = ${seq(steps, t0 + 0.5)} ;
  t = ${seq(steps * rootX, t0 * 10)} ;

group: model {
  dimensions:
    x = 4 ;
    level = 2 ;
  variables:
    float level(level) ;
      level:units = "m" ;
    float w(time, level, x) ;
      w:units = "m s-1" ;
  // group attributes
  :title = "model group" ;
  :version = 2 ;
  :scale = 0.5 ;
  :offset = 1. ;
  :levels = 10., 20. ;
  data:
    level = 10, 20 ;
    w = ${seq(steps * 2 * 4, t0 * 100)} ;

  group: deeper {
    variables:
      int y(x) ;
    :note = "deep" ;
    data:
      y = 1, 2, 3, 4 ;
  }
}

group: attrs_only {
  :purpose = "only attributes here" ;
  :count = 3 ;
}

group: empty {
}
}
`,
  );
}

async function make(project: string, files: string[], format: ProjectConfig["format"], parquet = false) {
  const work = join(root, "work", project);
  const config: ProjectConfig = { format };
  const scan = await scanProject(project, files, config, work);
  const product = await computeProduct(scan.inventory, format, work, () => {}, parquet ? { parquetAbove: 0 } : {});
  const validation = await validateProduct({ project, files, config, product: product.product, workDir: work });
  return { scan, product: product.product, validation, work };
}

/** The JSON text of a metadata key of a product: from the reference set (JSON or Parquet), or the file in the store. */
function metadataText(product: string, key: string): string | undefined {
  if (product.endsWith(".parq")) {
    // .zmetadata: {"metadata": {key: document}}; the document's own text, float spellings kept.
    const text = readFileSync(join(product, ".zmetadata"), "utf8");
    const at = text.indexOf(`${JSON.stringify(key)}: `);
    if (at < 0) return undefined;
    const start = at + JSON.stringify(key).length + 2;
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) return text.slice(start, i + 1);
    }
    return undefined;
  }
  if (product.endsWith(".json")) {
    const refs = (JSON.parse(readFileSync(product, "utf8")) as { refs: Record<string, unknown> }).refs;
    const v = refs[key];
    return typeof v === "string" ? v : undefined;
  }
  const p = join(product, key);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

/** True when `text` spells attribute `key` as a JSON float (or a list of floats): 1.0, not 1. */
function spelledAsFloat(text: string, key: string): boolean {
  const m = new RegExp(`"${key}"\\s*:\\s*(\\[[^\\]]*\\]|[^,\\n}]+)`).exec(text);
  const numbers = (m?.[1] ?? "").replace(/[[\]\s]/g, "").split(",");
  return numbers.length > 0 && numbers.every((n) => /^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(n) && /[.eE]/.test(n));
}

/** Every group of the truth is in the product: `.zgroup`, `.zattrs` with its attributes, variables with bare dimensions. */
function expectGroups(product: string, truth: GroupTruth[]): void {
  expect(truth.map((g) => g.path)).toEqual(["model", "model/deeper", "attrs_only", "empty"]);
  for (const g of truth) {
    expect(JSON.parse(metadataText(product, `${g.path}/.zgroup`) ?? "null"), `${g.path}/.zgroup`).toEqual({ zarr_format: 2 });
    const text = metadataText(product, `${g.path}/.zattrs`);
    expect(text, `${g.path}/.zattrs`).toBeDefined();
    expect(JSON.parse(text ?? "null"), `${g.path}/.zattrs`).toEqual(g.attrs);
    for (const k of g.float_attrs) expect(spelledAsFloat(text ?? "", k), `${g.path}: ${k} stays a float in ${text}`).toBe(true);
    for (const [name, dims] of Object.entries(g.variables)) {
      const attrs = JSON.parse(metadataText(product, `${g.path}/${name}/.zattrs`) ?? "null") as { _ARRAY_DIMENSIONS?: string[] } | null;
      expect(attrs?._ARRAY_DIMENSIONS, `${g.path}/${name}`).toEqual(dims);
    }
  }
}

const haveNcgen = ncgenAvailable();
const haveNetcdf4 = haveNcgen && pythonHas("netCDF4", "numpy");
const havePython = haveNetcdf4 && pythonHasXarray();

describe.skipIf(!haveNetcdf4)("groups in the products", () => {
  const files = haveNetcdf4 ? [grouped("g1", 0), grouped("g2", 2)] : [];

  it.each(["kerchunk", "zarr"] as const)("%s: keeps every group, its attributes and its variables' bare dimension names", async (format) => {
    const r = await make(`groups-${format}`, files, format);
    expect(r.product.endsWith(format === "kerchunk" ? ".json" : ".zarr")).toBe(true);
    expectGroups(r.product, netcdfGroups(files[0] as string));
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
    if (havePython) expect(xarrayCompare(r.product, "time", files)).toMatchObject({ groups: 4, problems: [] });
  });

  it("parquet references: keep every group and its attributes in .zmetadata", async () => {
    const r = await make("groups-parquet", files, "kerchunk", true);
    expect(r.product.endsWith(".parq")).toBe(true);
    expectGroups(r.product, netcdfGroups(files[0] as string));
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
  });

  it("reads a group's dimension by its own size when the root has a dimension of the same name", async () => {
    // Root x = 5, model x = 4: model/w and model/deeper/y use model's x.
    const shadowed = [grouped("s1", 0, 5), grouped("s2", 2, 5)];
    const r = await make("shadowed", shadowed, "kerchunk");
    expect(r.scan.inventory.issues).toEqual([]);
    const truth = netcdfGroups(shadowed[0] as string);
    expectGroups(r.product, truth);
    const w = JSON.parse(metadataText(r.product, "model/w/.zarray") ?? "null") as { shape: number[] };
    expect(w.shape).toEqual([4, 2, 4]);
    expect(r.validation.summary.outcome).toBe("Success");
    if (havePython) expect(xarrayCompare(r.product, "time", shadowed).problems).toEqual([]);
  });
});

describe.skipIf(!haveNetcdf4)("the validator checks every group", () => {
  const files = haveNetcdf4 ? [grouped("v1", 0), grouped("v2", 2)] : [];
  const validate = (product: string, name: string) =>
    validateProduct({ project: "groups-validate", files, config: { format: "kerchunk" }, product, workDir: join(root, "reports", name) });

  it("warns about references that lack a group, a group's attribute, or a variable in a group, and about a group the sources lack", async () => {
    const { product } = await make("groups-refs", files, "kerchunk");
    const doc = JSON.parse(readFileSync(product, "utf8")) as { version: 1; refs: Record<string, unknown> };
    const refs = doc.refs;
    for (const k of Object.keys(refs)) if (k.startsWith("empty/") || k.startsWith("model/deeper/y/")) delete refs[k];
    // Edited as text, so that every other attribute keeps its spelling (1.0 stays a float).
    const modelAttrs = refs["model/.zattrs"] as string;
    refs["model/.zattrs"] = modelAttrs.replace(/\s*"title": "model group",/, "");
    expect(JSON.parse(refs["model/.zattrs"] as string)).not.toHaveProperty("title");
    refs["bogus/.zgroup"] = JSON.stringify({ zarr_format: 2 });
    const damaged = join(root, "damaged.json");
    writeFileSync(damaged, JSON.stringify(doc));
    const r = await validate(damaged, "refs");
    expect(r.summary.outcome).toBe("Warning");
    expect(r.summary.fatal).toEqual([]);
    expect([...r.summary.warnings].sort()).toEqual(["data_vars_model/deeper/y_missing", "groups_bogus_missing", "groups_empty_missing", "model_title_missing"]);
    expect(r.metadata.groups["empty"]).toEqual({ type: "missing", info: "missing from zarr" });
    expect(r.metadata.groups["bogus"]).toEqual({ type: "missing", info: "missing from v1.nc" });
  });

  it("warns about a Zarr copy that lacks a group or has a group attribute changed", async () => {
    const { product } = await make("groups-zarr", files, "zarr");
    const copy = join(root, "damaged.zarr");
    cpSync(product, copy, { recursive: true });
    rmSync(join(copy, "attrs_only"), { recursive: true });
    const path = join(copy, "model", ".zattrs");
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace(/"version": 2\b/, `"version": 3`));
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ version: 3 });
    const r = await validate(copy, "zarr");
    expect(r.summary.outcome).toBe("Warning");
    expect([...r.summary.warnings].sort()).toEqual(["groups_attrs_only_missing", "model_version_not_equal"]);
    expect(r.metadata.attributes["model"]?.["version"]).toMatchObject({ type: "not_equal", zarr: 3, source: 2 });
  });
});
