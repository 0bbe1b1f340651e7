import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { scanProject, validateProduct, writeSeries, writeZarrProduct, type Inventory, type SeriesSpec } from "@drover/shared";
import { compareZarrWithSources } from "../helpers/compare.js";

// Chunks of 3 steps over files of 4, 5 and 4 steps: product chunks straddle file boundaries.
const spec: SeriesSpec = {
  variable: "pr",
  standardName: "precipitation_flux",
  longName: "precipitation",
  units: "kg m-2 s-1",
  table: "day",
  frequency: "day",
  steps: [4, 5, 4],
  stepDays: 1,
  nlat: 5,
  nlon: 7,
  chunks: [3, 5, 7],
  value: (lat, lon, t, n) => (n < 0.2 ? Number.NaN : lat * 1000 + lon + t / 100),
};

describe("computing a Zarr product and validating it against the sources", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-cv-"));
  let files: string[] = [];
  let inv: Inventory;
  let product = "";
  beforeAll(async () => {
    files = await writeSeries(join(root, "src"), "pr", spec, 7);
    inv = (await scanProject("pr", files, { format: "zarr", updates: { title: "updated by drover" }, removals: ["license"] }, join(root, "work"))).inventory;
    product = (await writeZarrProduct(inv, join(root, "work"))).product;
  });

  const validate = (p: string, ignore = {}) =>
    validateProduct({ project: "pr", files, config: { format: "zarr", updates: { title: "updated by drover" }, removals: ["license"] }, product: p, workDir: join(root, "reports"), ignore });

  it("copies every value of every file, across chunks that straddle files", async () => {
    const check = await compareZarrWithSources(product, files, "time");
    expect(check.values).toBe(13 * 5 * 7 + 13 + 13 * 2 + 5 + 7 + 5 * 2 + 7 * 2);
    const zarray = JSON.parse(readFileSync(join(product, "pr", ".zarray"), "utf8"));
    expect(zarray).toMatchObject({ shape: [13, 5, 7], chunks: [3, 5, 7], dtype: "<f4", compressor: { id: "zlib" }, fill_value: Math.fround(1e20) });
    const attrs = JSON.parse(readFileSync(join(product, "pr", ".zattrs"), "utf8"));
    expect(attrs._ARRAY_DIMENSIONS).toEqual(["time", "lat", "lon"]);
    expect(readFileSync(join(product, "pr", ".zattrs"), "utf8")).toMatch(/"missing_value": 100000002004087730000\.0/);
    const root = JSON.parse(readFileSync(join(product, ".zattrs"), "utf8"));
    expect(root.title).toBe("updated by drover");
    expect(root).not.toHaveProperty("license");
  });

  it("finds nothing wrong with a faithful product", async () => {
    const r = await validate(product);
    expect(r.summary).toMatchObject({ outcome: "Success", status: "Success", fatal: [], warnings: [] });
    expect(r.summary.filesCompared).toEqual(expect.arrayContaining([files[0], files[2]]));
    expect(r.metadata.skipped).toMatchObject({ "global.title": "set by updates", "global.license": "removed by removals" });
    expect(JSON.parse(readFileSync(r.dataReport, "utf8")).compared.values).toBe(r.summary.valuesCompared);
  });

  it("fails a product with one changed value, saying where", async () => {
    const bad = join(root, "bad.zarr");
    cpSync(product, bad, { recursive: true });
    // Chunk 1.0.0 holds steps 3..5: it straddles the first and second files.
    const key = join(bad, "pr", "1.0.0");
    const values = new Float32Array(new Uint8Array(inflateSync(readFileSync(key))).buffer);
    values[5 * 7 + 3] = 1234.5;
    writeFileSync(key, deflateSync(new Uint8Array(values.buffer)));
    const r = await validate(bad);
    expect(r.summary.outcome).toBe("Fatal");
    expect(r.summary.status).toBe("Fatal-data_errors");
    const err = r.data.variables["data_errors"]?.["pr"] as Record<string, unknown>;
    expect(err).toMatchObject({ type: "not_equal", count: 1, first_difference: { at: "(4,0,3)", zarr: 1234.5 } });
  });

  it("warns about a changed attribute, and the ignore template bypasses it", async () => {
    const warned = join(root, "warned.zarr");
    cpSync(product, warned, { recursive: true });
    const path = join(warned, "pr", ".zattrs");
    // Edit the text: a round trip through JSON.parse/stringify would also turn the float
    // missing_value into an integer, which the validator rightly reports too.
    const text = readFileSync(path, "utf8");
    expect(text).toContain('"units": "kg m-2 s-1"');
    writeFileSync(path, text.replace('"units": "kg m-2 s-1"', '"units": "mm/day"'));
    const r = await validate(warned);
    expect(r.summary).toMatchObject({ outcome: "Warning", status: "Warn-pr_units_not_equal" });
    const ok = await validate(warned, { metadata: { attributes: { pr: { units: { type: "not_equal" } } } } });
    expect(ok.summary).toMatchObject({ outcome: "Success", bypassed: ["pr_units_not_equal"] });
    expect(ok.metadata.attributes["pr"]?.["units"]).toMatchObject({ SKIP: true });
  });

  it("fails a product whose shape differs from the sources", async () => {
    const short = join(root, "short.zarr");
    cpSync(product, short, { recursive: true });
    const zpath = join(short, "pr", ".zarray");
    const z = JSON.parse(readFileSync(zpath, "utf8"));
    z.shape = [12, 5, 7];
    writeFileSync(zpath, JSON.stringify(z));
    const r = await validate(short);
    expect(r.summary.status).toBe("Fatal-size_errors");
    expect(r.data.variables["size_errors"]?.["pr"]).toEqual({ zarr: [12, 5, 7], source: [13, 5, 7] });
  });
});
