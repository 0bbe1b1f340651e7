import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeProduct, scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";

// netCDF3 (classic and 64-bit offset) series: record variables become one chunk per record,
// fixed variables one contiguous chunk; the combined references read back as libnetcdf reads.

const root = mkdtempSync(join(tmpdir(), "drover-nc3-"));

function classic(name: string, steps: number, t0: number, kind: "nc3" | "nc6"): string {
  const ny = 5;
  const nx = 7;
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = ${ny} ;
  lon = ${nx} ;
variables:
  double time(time) ;
    time:units = "hours since 2001-01-01 00:00:00" ;
  float lat(lat) ;
  float lon(lon) ;
  short psl(time, lat, lon) ;
    psl:scale_factor = 0.1f ;
    psl:add_offset = 1000.f ;
    psl:_FillValue = -32767s ;
  byte flag(time) ;
  char code(lat) ;
  :history = "" ;
data:
  time = ${seq(steps, t0 * 6, 6)} ;
  lat = ${seq(ny, -40, 20)} ;
  lon = ${seq(nx, 0, 50)} ;
  psl = ${Array.from({ length: steps * ny * nx }, (_, i) => String(((i * 37 + t0) % 600) - 300)).join(", ")} ;
  flag = ${seq(steps, t0 % 100)} ;
  code = "abcde" ;
}
`,
    kind,
  );
}

const haveNcgen = ncgenAvailable();
const havePython = pythonHasXarray();

describe.skipIf(!haveNcgen)("references to netCDF3 files", () => {
  for (const kind of ["nc3", "nc6"] as const) {
    it(`combines ${kind === "nc3" ? "classic" : "64-bit offset"} files record by record and reads back what libnetcdf reads`, async () => {
      const files = [classic(`${kind}-a`, 4, 0, kind), classic(`${kind}-b`, 3, 4, kind)];
      const work = join(root, "work", kind);
      const cfg: ProjectConfig = { format: "kerchunk" };
      const scan = await scanProject(kind, files, cfg, work);
      expect(scan.summary).toMatchObject({ concatDim: "time", concatLength: 7 });
      expect(scan.summary.issues).toEqual([]);
      expect(scan.summary.variables).toContain("code");
      const product = await computeProduct(scan.inventory, "kerchunk", work, () => {}, { inlineThreshold: 0 });
      expect(product.summary.format).toBe("kerchunk");
      const v = await validateProduct({ project: kind, files, config: cfg, product: product.product, workDir: work });
      // The char variable is carried as |S1 (issue 7) and compared like every other.
      expect(v.summary).toMatchObject({ outcome: "Success", status: "Success", fatal: [], warnings: [] });
      expect(v.data.compared.variables).toContain("code");
      expect(v.summary.valuesCompared).toBeGreaterThan(7 * 35);
      // h5wasm cannot open netCDF3: the independent check of every value is libnetcdf through xarray.
      if (havePython) {
        const r = xarrayCompare(product.product, "time", files);
        expect(r.problems).toEqual([]);
      }
    });
  }
});
