// Character, string and enumerated variables in the products (issue 7): netCDF chars as `|S1`
// with their string-length dimension, HDF5 fixed-length strings as `|S<n>`, variable-length
// strings inline in numcodecs' vlen-utf8 encoding, enums as their base integer type with their
// dictionary; compound variables refused by name, the project then only ValidatedWithWarnings
// and the one-shot command failing unless --allow-missing. Truth: netCDF-C (ncgen), h5py,
// numcodecs, and xarray reading the sources with netCDF4 (test/python/compare.py).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { encodeVlenUtf8 } from "../../../shared/src/strings/vlen-utf8.js";
import { ncgen, ncgenAvailable } from "../../helpers/ncgen.js";
import { ROOT } from "../../helpers/processes.js";
import { PYTHON, pythonHasXarray, xarrayCompare } from "../../helpers/python.js";
import { pythonHas, runPython } from "../groups/truth.js";

const root = mkdtempSync(join(tmpdir(), "drover-strings-"));

/** Chars everywhere netCDF-3 has them: a grid mapping, station ids, report times along time. */
function classic(name: string, t0: number): string {
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  station = 2 ;
  name_len = 8 ;
  str_len = 20 ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  char crs ;
    crs:grid_mapping_name = "rotated_latitude_longitude" ;
    crs:grid_north_pole_latitude = 39.25 ;
    crs:grid_north_pole_longitude = -162. ;
  char station_id(station, name_len) ;
  char time_str(time, str_len) ;
  float t(time, station) ;
    t:grid_mapping = "crs" ;
data:
  time = ${t0 + 0.5}, ${t0 + 1.5} ;
  station_id = "ABC", "DEFGHIJK" ;
  time_str = "2000-01-0${t0 + 1}T12:00:00Z", "2000-01-0${t0 + 2}T12:00:00Z" ;
  t = 1, 2, 3, 4 ;
}
`,
    "nc3",
  );
}

/** netCDF-4: the same chars, a string reference time and an enumerated cloud type. */
function enhanced(name: string, t0: number): string {
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
types:
  byte enum cloud_t {clear = 0, cumulus = 1, stratus = 2, missing = 127} ;
dimensions:
  time = UNLIMITED ;
  station = 2 ;
  name_len = 8 ;
  str_len = 20 ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  char crs ;
    crs:grid_mapping_name = "rotated_latitude_longitude" ;
    crs:grid_north_pole_latitude = 39.25 ;
  char station_id(station, name_len) ;
  char time_str(time, str_len) ;
  float t(time, station) ;
    t:grid_mapping = "crs" ;
  string reftime ;
    reftime:long_name = "reference time" ;
  string remark(time) ;
  cloud_t cloud(time, station) ;
data:
  time = ${t0 + 0.5}, ${t0 + 1.5} ;
  station_id = "ABC", "DEFGHIJK" ;
  time_str = "2000-01-0${t0 + 1}T12:00:00Z", "2000-01-0${t0 + 2}T12:00:00Z" ;
  t = 1, 2, 3, 4 ;
  reftime = "2000-01-01 00:00" ;
  remark = "calm été ${name}", "" ;
  cloud = clear, cumulus, stratus, missing ;
}
`,
    "nc4",
  );
}

/** h5py: fixed-length S10 and variable-length str datasets; with `compound`, also a compound one. */
function h5pyFile(name: string, compound: boolean): string {
  const path = join(root, `${name}.h5`);
  runPython(
    `
import sys, json, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("code", data=np.array([b"alpha", b"beta-gamma", b""], dtype="S10"))
    f.create_dataset("label", data=np.array(["one", "two \\u00e9", ""], dtype=object), dtype=h5py.string_dtype())
    f.create_dataset("value", data=np.arange(3, dtype="f4"))
    if sys.argv[2] == "1":
        f.create_dataset("pair", data=np.array([(1, 2.5), (3, 4.5), (5, 6.5)], dtype=[("a", "i4"), ("b", "f8")]))
print(json.dumps(True))
`,
    [path, compound ? "1" : "0"],
  );
  return path;
}

async function make(project: string, files: string[], format: ProjectConfig["format"], parquet = false) {
  const work = join(root, "work", `${project}-${format}${parquet ? "-parq" : ""}`);
  const config: ProjectConfig = { format };
  const scan = await scanProject(project, files, config, work);
  const product = await computeProduct(scan.inventory, format, work, () => {}, parquet ? { parquetAbove: 0 } : {});
  const validation = await validateProduct({ project, files, config, product: product.product, workDir: work });
  return { scan, product: product.product, validation, work };
}

const haveNcgen = ncgenAvailable();
const haveH5py = pythonHas("h5py", "numpy");
const haveXarray = haveNcgen && pythonHasXarray();

const products = [
  ["JSON references", "kerchunk", false],
  ["Parquet references", "kerchunk", true],
  ["a Zarr copy", "zarr", false],
] as const;

describe.skipIf(!haveNcgen)("netCDF chars, strings and enums are carried", () => {
  const nc3 = haveNcgen ? [classic("c1", 0), classic("c2", 2)] : [];
  const nc4 = haveNcgen ? [enhanced("e1", 0), enhanced("e2", 2)] : [];

  it.each(products)("netCDF-3 chars in %s", async (_label, format, parquet) => {
    const r = await make("classic", nc3, format, parquet);
    expect(r.scan.inventory.issues).toEqual([]);
    expect(r.scan.inventory.variables.map((v) => [v.name, v.dtype, v.dimensions])).toEqual(
      expect.arrayContaining([
        ["crs", "|S1", []],
        ["station_id", "|S1", ["station", "name_len"]],
        ["time_str", "|S1", ["time", "str_len"]],
      ]),
    );
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
    expect(r.validation.data.compared.variables).toEqual(expect.arrayContaining(["crs", "station_id", "time_str"]));
    if (haveXarray && !parquet) expect(xarrayCompare(r.product, "time", nc3)).toMatchObject({ variables: 5, problems: [] });
  });

  it.each(products)("netCDF-4 chars, strings and enums in %s", async (_label, format, parquet) => {
    const r = await make("enhanced", nc4, format, parquet);
    expect(r.scan.inventory.issues).toEqual([]);
    const byName = Object.fromEntries(r.scan.inventory.variables.map((v) => [v.name, v]));
    expect(byName["reftime"]?.dtype).toBe("|O");
    expect(byName["cloud"]).toMatchObject({ dtype: "|i1", enumDict: { clear: 0, cumulus: 1, stratus: 2, missing: 127 } });
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
    expect(r.validation.data.compared.variables).toEqual(expect.arrayContaining(["crs", "station_id", "time_str", "reftime", "remark", "cloud"]));
    if (haveXarray && !parquet) expect(xarrayCompare(r.product, "time", nc4)).toMatchObject({ variables: 8, problems: [] });
    if (haveXarray && !parquet) {
      // netCDF4-python's enum dictionary, kept as an attribute of the product's variable.
      const attrs = runPython<Record<string, unknown>>(
        `
import sys, json, fsspec, xarray as xr, netCDF4
p = sys.argv[1]
ds = xr.open_dataset(fsspec.filesystem("reference", fo=p).get_mapper(""), engine="zarr", consolidated=False) if p.endswith(".json") else xr.open_zarr(p, consolidated=False)
with netCDF4.Dataset(sys.argv[2]) as d:
    truth = d["cloud"].datatype.enum_dict
print(json.dumps({"product": ds["cloud"].attrs["enum_dict"], "truth": {k: int(v) for k, v in truth.items()}}))
`,
        [r.product, nc4[0] as string],
      );
      expect(attrs["product"]).toEqual(attrs["truth"]);
    }
  });

  it("the validator notices a product that leaves out a char variable or changes a string", async () => {
    const { product } = await make("damaged", nc4, "kerchunk");
    const doc = JSON.parse(readFileSync(product, "utf8")) as { version: 1; refs: Record<string, unknown> };
    for (const k of Object.keys(doc.refs)) if (k.startsWith("station_id/")) delete doc.refs[k];
    // remark's first row, re-encoded with another value.
    doc.refs["remark/0"] = `base64:${Buffer.from(encodeVlenUtf8(["changed"])).toString("base64")}`;
    const damaged = join(root, "damaged.json");
    writeFileSync(damaged, JSON.stringify(doc));
    const r = await validateProduct({ project: "damaged", files: nc4, config: { format: "kerchunk" }, product: damaged, workDir: join(root, "reports") });
    expect(r.summary.outcome).toBe("Fatal");
    expect(r.summary.fatal).toEqual(["data_errors:remark"]);
    expect(r.summary.warnings).toEqual(["data_vars_station_id_missing"]);
    expect(r.data.variables["data_errors"]?.["remark"]).toMatchObject({ first_difference: { zarr: "changed", source: "calm \u00e9t\u00e9 e1" } });
  });
});

describe.skipIf(!haveH5py)("HDF5 strings from h5py", () => {
  it("writes vlen-utf8 chunks byte for byte as numcodecs 0.11 does", () => {
    const items = ["one", "two \u00e9", "", "\u65e5\u672c"];
    const hex = runPython<string>(`
import sys, json, numcodecs, numpy as np
print(json.dumps(numcodecs.VLenUTF8().encode(np.array(json.loads(sys.argv[1]), dtype=object)).hex()))
`, [JSON.stringify(items)]);
    expect(Buffer.from(encodeVlenUtf8(items)).toString("hex")).toBe(hex);
  });

  it.each(products)("fixed-length S10 and variable-length strings in %s", async (_label, format, parquet) => {
    const files = [h5pyFile("plain", false)];
    const r = await make("h5py-strings", files, format, parquet);
    expect(r.scan.inventory.issues).toEqual([]);
    const byName = Object.fromEntries(r.scan.inventory.variables.map((v) => [v.name, v.dtype]));
    expect(byName).toMatchObject({ code: "|S10", label: "|O", value: "<f4" });
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
    if (!parquet && pythonHasXarray()) {
      // h5py's own reading of the source against xarray's of the product.
      const same = runPython<{ code: boolean; label: boolean }>(
        `
import sys, json, fsspec, xarray as xr, h5py, numpy as np
p = sys.argv[1]
ds = xr.open_dataset(fsspec.filesystem("reference", fo=p).get_mapper(""), engine="zarr", consolidated=False) if p.endswith(".json") else xr.open_zarr(p, consolidated=False)
with h5py.File(sys.argv[2]) as f:
    code = f["code"][...]
    label = f["label"].asstr()[...]
print(json.dumps({"code": ds["code"].dtype == code.dtype and ds["code"].values.tolist() == code.tolist(),
                  "label": ds["label"].values.tolist() == label.tolist()}))
`,
        [r.product, files[0] as string],
      );
      expect(same).toEqual({ code: true, label: true });
    }
  });

  it.each(products)("refuses a compound variable by name in %s: validated with warnings only", async (_label, format, parquet) => {
    const files = [h5pyFile("compound", true)];
    const r = await make("h5py-compound", files, format, parquet);
    expect(r.scan.inventory.issues).toEqual([expect.objectContaining({ severity: "warning", code: "variable_refused", variable: "pair" })]);
    expect(r.scan.inventory.issues[0]?.message).toContain("compound");
    expect(r.scan.inventory.variables.map((v) => v.name).sort()).toEqual(["code", "label", "value"]);
    expect(r.validation.summary).toMatchObject({ outcome: "Warning", fatal: [], warnings: ["data_vars_pair_missing"] });
  });

  it("drover refs exits non-zero for a refused variable unless --allow-missing is given", () => {
    const file = h5pyFile("oneshot", true);
    const cli = join(ROOT, "services", "cli", "dist", "main.js");
    const refused = spawnSync(process.execPath, [cli, "refs", file, "-o", join(root, "oneshot.json")], { encoding: "utf8" });
    expect(refused.status, refused.stderr).not.toBe(0);
    expect(refused.stderr).toContain("pair");
    const allowed = spawnSync(process.execPath, [cli, "refs", file, "-o", join(root, "oneshot-allowed.json"), "--allow-missing"], { encoding: "utf8" });
    expect(allowed.status, allowed.stderr).toBe(0);
    const zarrAllowed = spawnSync(process.execPath, [cli, "zarr", file, "-o", join(root, "oneshot-allowed.zarr"), "--allow-missing"], { encoding: "utf8" });
    expect(zarrAllowed.status, zarrAllowed.stderr).toBe(0);
  });
});

void PYTHON;
