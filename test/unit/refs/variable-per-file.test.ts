import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";

// CMIP's own layout: one variable per file, uas_…_1982.nc, vas_…_1982.nc, uas_…_1983.nc, … for
// the same years in one project. xarray's open_mfdataset (combine="by_coords") concatenates each
// variable's files along time and merges the results; drover must make the same dataset.

const root = mkdtempSync(join(tmpdir(), "drover-pervar-"));
const NY = 3;
const NX = 4;
const STEPS = 4; // steps per file ("a year")

function cmip(variable: "uas" | "vas", year: number, options: { height?: number; steps?: number; text?: boolean } = {}): string {
  const steps = options.steps ?? STEPS;
  const text = options.text === true;
  const t0 = (year - 1982) * STEPS;
  const salt = variable === "uas" ? 1 : 2;
  const name = `${variable}_3hr_MODEL_hist_r1i1p1f1_gn_${year}${text ? "_text" : ""}`;
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = ${NY} ;
  lon = ${NX} ;
  bnds = 2 ;${text ? "\n  strlen = 10 ;" : ""}
variables:
  double time(time) ;
    time:units = "days since 1982-01-01" ;
    time:calendar = "proleptic_gregorian" ;
    time:bounds = "time_bnds" ;
    time:standard_name = "time" ;
  double time_bnds(time, bnds) ;
  double lat(lat) ;
    lat:units = "degrees_north" ;
  double lon(lon) ;
    lon:units = "degrees_east" ;
  double height ;
    height:units = "m" ;
  float ${variable}(time, lat, lon) ;
    ${variable}:units = "m s-1" ;
    ${variable}:coordinates = "height" ;
    ${variable}:_FillValue = 1.e+20f ;
    ${variable}:_ChunkSizes = 1, ${NY}, ${NX} ;
    ${variable}:_DeflateLevel = 1 ;
${text ? `  char time_label(time, strlen) ;\n  char ${variable}_label(strlen) ;\n` : ""}  :variable_id = "${variable}" ;
  :source_id = "MODEL" ;
data:
  time = ${seq(steps, t0 + 0.5)} ;
  time_bnds = ${Array.from({ length: steps }, (_, i) => `${t0 + i}, ${t0 + i + 1}`).join(", ")} ;
  lat = ${seq(NY, -45, 45)} ;
  lon = ${seq(NX, 0, 90)} ;
  height = ${options.height ?? 10} ;${text ? `\n  time_label = ${Array.from({ length: steps }, (_, i) => `"step ${t0 + i}"`).join(", ")} ;\n  ${variable}_label = "${variable} wind" ;` : ""}
  ${variable} = ${Array.from({ length: steps * NY * NX }, (_, i) => String(salt * 100 + t0 + ((i * 7) % 13) / 4)).join(", ")} ;
}
`,
    "nc4",
  );
}

async function run(project: string, files: string[], format: ProjectConfig["format"]) {
  const work = join(root, "work", project);
  const cfg: ProjectConfig = { format };
  const scan = await scanProject(project, files, cfg, work);
  // No chunk inlined: every reference names the file it points into.
  const product = await computeProduct(scan.inventory, format, work, () => {}, { inlineThreshold: 0 });
  const validation = await validateProduct({ project, files, config: cfg, product: product.product, workDir: work });
  return { scan, product, validation };
}

const haveNcgen = ncgenAvailable();
const havePython = pythonHasXarray();

describe.skipIf(!haveNcgen)("one variable per file (uas and vas files for the same years)", () => {
  // Listed as a directory listing gives them: by name, uas before vas.
  const years = [1982, 1983, 1984];
  const files = () => [...years.map((y) => cmip("uas", y)), ...years.map((y) => cmip("vas", y))];

  it("plans a merge of two concatenations and says which files form which variable set", async () => {
    const list = files();
    const scan = await scanProject("sets", list, { format: "kerchunk" }, join(root, "work", "sets-scan"));
    expect(scan.summary.issues.filter((i) => i.severity === "fatal")).toEqual([]);
    expect(scan.inventory.concatDim).toBe("time");
    expect(scan.inventory.concatLength).toBe(3 * STEPS);
    expect(scan.inventory.variableSets).toEqual([
      { variables: ["uas"], files: list.slice(0, 3) },
      { variables: ["vas"], files: list.slice(3) },
    ]);
    const byName = Object.fromEntries(scan.inventory.variables.map((v) => [v.name, v]));
    expect(byName["uas"]).toMatchObject({ shape: [3 * STEPS, NY, NX], variableSet: 0 });
    expect(byName["vas"]).toMatchObject({ shape: [3 * STEPS, NY, NX], variableSet: 1 });
    expect(byName["time"]?.shape).toEqual([3 * STEPS]);
    expect(byName["time_bnds"]?.shape).toEqual([3 * STEPS, 2]);
  });

  it("writes references holding every variable along the full time axis, each from its own files", async () => {
    const list = files();
    const r = await run("sets-refs", list, "kerchunk");
    expect(r.product.summary).toMatchObject({ format: "kerchunk" });
    expect(r.product.summary.note).toBeUndefined();
    const refs = (JSON.parse(readFileSync(r.product.product, "utf8")) as { refs: Record<string, unknown> }).refs;
    for (const v of ["uas", "vas"]) {
      expect(JSON.parse(String(refs[`${v}/.zarray`]))).toMatchObject({ shape: [3 * STEPS, NY, NX], chunks: [1, NY, NX] });
      for (let t = 0; t < 3 * STEPS; t++) {
        const ref = refs[`${v}/${t}.0.0`];
        const year = 1982 + Math.floor(t / STEPS);
        // Every chunk of uas points into the uas file of its year, vas into the vas file.
        expect(Array.isArray(ref) ? ref[0] : ref).toBe(`file://${join(root, `${v}_3hr_MODEL_hist_r1i1p1f1_gn_${year}.nc`)}`);
      }
    }
    expect(r.validation.summary).toMatchObject({ status: "Success", fatal: [] });
    expect(r.validation.summary.filesCompared).toHaveLength(6);
    if (havePython) expect(xarrayCompare(r.product.product, "time", list).problems).toEqual([]);
  });

  it("writes the same dataset as a Zarr copy", async () => {
    const list = files();
    const r = await run("sets-zarr", list, "zarr");
    expect(r.product.summary.format).toBe("zarr");
    expect(r.validation.summary).toMatchObject({ status: "Success", fatal: [] });
    if (havePython) expect(xarrayCompare(r.product.product, "time", list).problems).toEqual([]);
  });

  it("copies text variables from their own set's files: one a set holds alone, one both hold", async () => {
    const list = [1982, 1983, 1984].flatMap((y) => [cmip("uas", y, { text: true }), cmip("vas", y, { text: true })]);
    const r = await run("sets-zarr-text", list, "zarr");
    expect(r.validation.summary).toMatchObject({ status: "Success", fatal: [] });
    if (havePython) expect(xarrayCompare(r.product.product, "time", list).problems).toEqual([]);
  });

  it("refuses, naming it, a variable two sets hold with different values", async () => {
    const list = [cmip("uas", 1982), cmip("uas", 1983), cmip("vas", 1982, { height: 2 }), cmip("vas", 1983, { height: 2 })];
    await expect(scanProject("sets-height", list, { format: "kerchunk" }, join(root, "work", "sets-height"))).rejects.toThrow(
      /variable height differs between the files holding uas .* and the files holding vas .*first at index 0/,
    );
  });

  it("refuses sets that cover different years", async () => {
    const list = [cmip("uas", 1982), cmip("uas", 1983), cmip("vas", 1982), cmip("vas", 1983, { steps: 3 })];
    await expect(scanProject("sets-years", list, { format: "kerchunk" }, join(root, "work", "sets-years"))).rejects.toThrow(
      /the files holding uas and the files holding vas cover different time steps \(8 and 7 steps/,
    );
  });
});
