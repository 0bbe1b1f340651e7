import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { buildReferences } from "../../../shared/src/refs/write-refs.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { compareZarrWithSources } from "../../helpers/compare.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";

const root = mkdtempSync(join(tmpdir(), "drover-refs-"));
const NY = 20;
const NX = 30;

/** A netCDF-C file: time (unlimited) × lat × lon, data chunked `tchunk` steps at a time. */
function series(name: string, steps: number, t0: number, options: { tchunk?: number; units?: string; extra?: string; extraData?: string } = {}): string {
  const n = steps * NY * NX;
  const cdl = `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = ${NY} ;
  lon = ${NX} ;
  bnds = 2 ;
variables:
  double time(time) ;
    time:units = "${options.units ?? "days since 2000-01-01"}" ;
    time:calendar = "standard" ;
    time:bounds = "time_bnds" ;
  double time_bnds(time, bnds) ;
  float lat(lat) ;
    lat:units = "degrees_north" ;
  float lon(lon) ;
    lon:units = "degrees_east" ;
  float tas(time, lat, lon) ;
    tas:units = "K" ;
    tas:_FillValue = -999.f ;
    tas:valid_min = 0.f ;
    tas:_ChunkSizes = ${options.tchunk ?? 1}, ${NY}, ${NX} ;
    tas:_DeflateLevel = 4 ;
    tas:_Shuffle = "true" ;
  ${options.extra ?? ""}
  :title = "drover test series" ;
  :empty = "" ;
  :zero = 0. ;
  :count = 3 ;
data:
  time = ${seq(steps, t0 + 0.5)} ;
  time_bnds = ${Array.from({ length: steps }, (_, i) => `${t0 + i}, ${t0 + i + 1}`).join(", ")} ;
  lat = ${seq(NY, -10, 10)} ;
  lon = ${seq(NX, 0, 90)} ;
  tas = ${Array.from({ length: n }, (_, i) => (i % 17 === 0 ? "-999" : String(250 + t0 + ((i * 7919) % 1009) / 7))).join(", ")} ;
  ${options.extraData ?? ""}
}
`;
  return ncgen(join(root, `${name}.nc`), cdl);
}

async function make(project: string, files: string[], config: Partial<ProjectConfig> = {}, inlineLimit?: number) {
  const work = join(root, "work", project);
  const cfg: ProjectConfig = { format: "kerchunk", ...config };
  const scan = await scanProject(project, files, cfg, work);
  const product = await computeProduct(scan.inventory, cfg.format, work, () => {}, inlineLimit === undefined ? {} : { inlineLimit });
  const validation = await validateProduct({ project, files, config: cfg, product: product.product, workDir: work });
  return { scan, product, validation, refs: product.product.endsWith(".json") ? JSON.parse(readFileSync(product.product, "utf8")) : undefined };
}

const pythonCompare = (refs: string, files: string[]) => xarrayCompare(refs, "time", files);

const haveNcgen = ncgenAvailable();
const havePython = pythonHasXarray();

describe.skipIf(!haveNcgen)("Kerchunk references for netCDF-C files", () => {
  it("concatenates files along time, renumbering chunk keys and inlining the coordinate", async () => {
    const files = [series("a1", 4, 0), series("a2", 4, 4), series("a3", 3, 8)];
    const r = await make("aligned", files);
    expect(r.product.summary).toMatchObject({ format: "kerchunk", revision: "k1.0" });
    expect(r.product.summary.note).toBeUndefined();
    expect(r.validation.summary.status).toBe("Success");
    const refs = r.refs.refs as Record<string, unknown>;
    expect(JSON.parse(refs["tas/.zarray"] as string)).toMatchObject({ shape: [11, NY, NX], chunks: [1, NY, NX], compressor: null, filters: [{ id: "shuffle", elementsize: 4 }, { id: "zlib", level: 4 }], fill_value: -999 });
    expect(refs["tas/10.0.0"]).toEqual([`file://${files[2]}`, expect.any(Number), expect.any(Number)]);
    expect(refs["tas/4.0.0"]).toEqual([`file://${files[1]}`, expect.any(Number), expect.any(Number)]);
    expect(refs["tas/3.0.0"]).toEqual([`file://${files[0]}`, expect.any(Number), expect.any(Number)]);
    expect(refs["tas/11.0.0"]).toBeUndefined();
    expect(String(refs["time/0"])).toMatch(/^base64:/);
    expect(JSON.parse(refs["time/.zarray"] as string)).toMatchObject({ shape: [11], chunks: [11], filters: null });
    // Attributes keep their types: an empty string, a float zero, an integer.
    expect(refs[".zattrs"]).toMatch(/"empty": ""/);
    expect(refs[".zattrs"]).toMatch(/"zero": 0\.0/);
    expect(refs[".zattrs"]).toMatch(/"count": 3[,\n]/);
    expect(refs["tas/.zattrs"]).toMatch(/"valid_min": 0\.0/);
    if (havePython) expect(pythonCompare(r.product.product, files).problems).toEqual([]);
  });

  it("says references cannot express a chunk that straddles two files, and writes Zarr instead", async () => {
    // 10 steps per file in chunks of 4: the third chunk of each file is partial inside the series.
    const files = [series("b1", 10, 0, { tchunk: 4 }), series("b2", 10, 10, { tchunk: 4 })];
    const r = await make("straddling", files, {}, 1024);
    expect(r.product.summary.format).toBe("zarr");
    expect(r.product.summary.note).toMatch(/variable tas has time chunks of 4 but .*b1\.nc holds 10 steps, not a multiple of 4/);
    expect(r.validation.summary.status).toBe("Success");
  });

  it("handles netCDF-C's default 512-step chunks of a short time axis by inlining the small variables", async () => {
    // time gets netCDF-C's default chunking: 512 steps along the unlimited dimension, 1024 for an int.
    const extra = "int counts(time) ;";
    const files = [series("c1", 12, 0, { extra, extraData: `counts = ${seq(12)} ;` }), series("c2", 12, 12, { extra, extraData: `counts = ${seq(12, 12)} ;` })];
    const r = await make("default-chunks", files);
    const refs = r.refs.refs as Record<string, string>;
    expect(r.scan.inventory.files.map((f) => f.variables["time"]?.chunks)).toEqual([[512], [512]]);
    expect(JSON.parse(refs["time/.zarray"] ?? "{}")).toMatchObject({ shape: [24], chunks: [24], filters: null });
    expect(JSON.parse(refs["counts/.zarray"] ?? "{}")).toMatchObject({ shape: [24], chunks: [24], filters: null });
    expect(r.product.summary.format).toBe("kerchunk");
    expect(r.validation.summary.status).toBe("Success");
  });

  it("re-encodes each file's time (and bounds) into the first file's units", async () => {
    const files = [series("d1", 5, 0), series("d2", 5, 0, { units: "days since 2000-01-06" })];
    const r = await make("units", files);
    expect(r.scan.summary.issues).toContainEqual(expect.objectContaining({ code: "time_reencoded", severity: "warning" }));
    expect(r.validation.summary.status).toBe("Success");
    const { doc } = buildReferences(r.scan.inventory, undefined);
    const decode = (ref: unknown) => {
      const b = Buffer.from(String(ref).slice(7), "base64");
      return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    const time = decode(doc.refs["time/0"]);
    expect(Array.from(time)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
    const b = decode(doc.refs["time_bnds/0.0"]);
    expect(Array.from(b.slice(10, 12))).toEqual([5, 6]);
  });

  it("does not mask real data with netCDF-C's implicit fill value, and reproduces unwritten variables", async () => {
    const extra = `int counts(time) ;\n  short never(lat, lon) ;\n  short never_filled(lat, lon) ;\n    never_filled:_FillValue = -1s ;`;
    // -2147483647 is netCDF-C's default int fill value; here it is a real value, with no _FillValue.
    const f1 = series("e1", 3, 0, { extra, extraData: "counts = 7, -2147483647, 9 ;" });
    const f2 = series("e2", 3, 3, { extra, extraData: "counts = 1, 2, 3 ;" });
    const r = await make("fill", [f1, f2]);
    const refs = r.refs.refs as Record<string, string>;
    expect(JSON.parse(refs["counts/.zarray"] ?? "{}").fill_value).toBeNull();
    // Never written: without _FillValue the fill chunks are spelled out; with one, Zarr's fill_value says it.
    expect(JSON.parse(refs["never/.zarray"] ?? "{}").fill_value).toBeNull();
    expect(String(refs["never/0.0"])).toMatch(/^base64:/);
    expect(JSON.parse(refs["never_filled/.zarray"] ?? "{}").fill_value).toBe(-1);
    expect(String(refs["never_filled/0.0"])).toMatch(/^base64:/);
    expect(r.validation.summary.status).toBe("Success");
    expect(r.validation.summary.valuesCompared).toBeGreaterThan(0);
    if (havePython) expect(pythonCompare(r.product.product, [f1, f2]).problems).toEqual([]);
  });
});

describe.skipIf(!haveNcgen)("Parquet references", () => {
  it("are written instead of JSON above the size threshold and read back exactly", async () => {
    const files = [series("p1", 4, 0), series("p2", 4, 4)];
    const work = join(root, "work", "parquet");
    const cfg: ProjectConfig = { format: "kerchunk" };
    const scan = await scanProject("parquet", files, cfg, work);
    const product = await computeProduct(scan.inventory, "kerchunk", work, () => {}, { parquetAbove: 0 });
    expect(product.product.endsWith("k1.0a.parq")).toBe(true);
    expect(product.summary.note).toMatch(/Parquet references/);
    const meta = JSON.parse(readFileSync(join(product.product, ".zmetadata"), "utf8"));
    expect(meta.record_size).toBe(100000);
    expect(meta.metadata["tas/.zarray"]).toMatchObject({ shape: [8, NY, NX] });
    expect(existsSync(join(product.product, "tas", "refs.0.parq"))).toBe(true);
    const check = await compareZarrWithSources(product.product, files, "time");
    expect(check.values).toBeGreaterThan(8 * NY * NX);
    const v = await validateProduct({ project: "parquet", files, config: cfg, product: product.product, workDir: work });
    expect(v.summary.status).toBe("Success");
  });
});
