import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { computeProduct } from "../../../shared/src/tasks/tasks.js";
import { ncgen, ncgenAvailable, seq } from "../../helpers/ncgen.js";
import { pythonHasXarray, xarrayCompare } from "../../helpers/python.js";

// One series written partly as netCDF-3 (big-endian, records) and partly as netCDF-4
// (little-endian HDF5 chunks, some deflated), from the same CDL: the storage differs between
// files, so no reference may declare one byte order for chunks stored in the other.

const root = mkdtempSync(join(tmpdir(), "drover-mixed-"));
const NY = 4;
const NX = 6;

function cdl(name: string, steps: number, t0: number, deflate: boolean): string {
  return `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = ${NY} ;
  lon = ${NX} ;
variables:
  double time(time) ;
    time:units = "days since 1990-01-01" ;
    time:calendar = "standard" ;
  float lat(lat) ;
  float lon(lon) ;
  int station(time) ;
  short orog(lat, lon) ;
  float tas(time, lat, lon) ;
    tas:units = "K" ;
    tas:_FillValue = -999.f ;${deflate ? "\n    tas:_DeflateLevel = 2 ;\n    tas:_ChunkSizes = 1, " + NY + ", " + NX + " ;" : ""}
  :title = "mixed storage" ;
data:
  time = ${seq(steps, t0 + 0.5)} ;
  lat = ${seq(NY, -30, 20)} ;
  lon = ${seq(NX, 0, 60)} ;
  station = ${seq(steps, 1000 + t0 * 3, 3)} ;
  orog = ${seq(NY * NX, -200, 37)} ;
  tas = ${Array.from({ length: steps * NY * NX }, (_, i) => (i % 11 === 0 ? "-999" : String(240 + t0 + ((i * 613) % 97) / 4))).join(", ")} ;
}
`;
}

function mixed(prefix: string, deflate: boolean): string[] {
  return [
    ncgen(join(root, `${prefix}-1990.nc`), cdl(`${prefix}1`, 3, 0, false), "nc3"),
    ncgen(join(root, `${prefix}-1993.nc`), cdl(`${prefix}2`, 3, 3, deflate), "nc4"),
    ncgen(join(root, `${prefix}-1996.nc`), cdl(`${prefix}3`, 2, 6, false), "nc3"),
  ];
}

async function run(project: string, files: string[], inlineLimit?: number) {
  const work = join(root, "work", project);
  const cfg: ProjectConfig = { format: "kerchunk" };
  const scan = await scanProject(project, files, cfg, work);
  const product = await computeProduct(scan.inventory, "kerchunk", work, () => {}, inlineLimit === undefined ? {} : { inlineLimit });
  const validation = await validateProduct({ project, files, config: cfg, product: product.product, workDir: work });
  return { scan, product, validation };
}

const haveNcgen = ncgenAvailable();
const havePython = pythonHasXarray();

/** Each inline chunk of `name` decoded with its declared dtype (what every reader does). */
function inlineValues(refs: Record<string, string>, name: string): number[] {
  const zarray = JSON.parse(refs[`${name}/.zarray`] ?? "{}") as { dtype: string };
  const keys = Object.keys(refs).filter((k) => k.startsWith(`${name}/`) && !k.slice(name.length + 1).startsWith("."));
  const out: number[] = [];
  for (const k of keys.sort()) {
    const b = Buffer.from(String(refs[k]).slice("base64:".length), "base64");
    const size = Number(zarray.dtype.slice(2));
    for (let i = 0; i < b.length; i += size) {
      const le = zarray.dtype[0] !== ">";
      out.push(size === 8 ? (le ? b.readDoubleLE(i) : b.readDoubleBE(i)) : le ? b.readInt32LE(i) : b.readInt32BE(i));
    }
  }
  return out;
}

describe.skipIf(!haveNcgen)("netCDF-3 and netCDF-4 files in one series", () => {
  it("sees the byte order and storage differences at scan time, per variable and file", async () => {
    const files = mixed("scan", true);
    const work = join(root, "work", "scan-only");
    const scan = await scanProject("scan-only", files, { format: "kerchunk" }, work);
    const differs = scan.summary.issues.filter((i) => i.code === "storage_differs");
    // tas: big-endian records vs little-endian deflated chunks; station and time: byte order.
    expect(differs.map((i) => `${i.variable}@${i.file}`).sort()).toEqual([`station@${files[1]}`, `tas@${files[1]}`, `time@${files[1]}`]);
    const tas = differs.find((i) => i.variable === "tas");
    expect(tas?.severity).toBe("warning");
    expect(tas?.message).toMatch(/big-endian \(>f4\).*little-endian \(<f4\)/);
    expect(tas?.message).toMatch(/deflate/);
    // The inventory records each file's stored type.
    expect(scan.inventory.files.map((f) => f.variables["tas"]?.storedDtype)).toEqual([">f4", "<f4", ">f4"]);
  });

  it("inlines small variables in one byte order: the references read back as libnetcdf reads", async () => {
    const files = mixed("small", false);
    const r = await run("mixed-small", files);
    expect(r.product.summary.format).toBe("kerchunk");
    const refs = (JSON.parse(readFileSync(r.product.product, "utf8")) as { refs: Record<string, string> }).refs;
    // Values as libnetcdf reads them (ncgen wrote them): time 0.5…; station 1000, 1003, …
    expect(inlineValues(refs, "time")).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
    expect(inlineValues(refs, "station")).toEqual([1000, 1003, 1006, 1009, 1012, 1015, 1018, 1021]);
    expect(r.validation.summary).toMatchObject({ status: "Success", fatal: [] });
    if (havePython) expect(xarrayCompare(r.product.product, "time", files).problems).toEqual([]);
  });

  it("writes the Zarr copy, saying why, when a big variable's chunks differ in byte order and filters", async () => {
    const files = mixed("big", true);
    const r = await run("mixed-big", files, 0);
    expect(r.product.summary.format).toBe("zarr");
    // The first variable references cannot carry is named, with both files' storage.
    expect(r.product.summary.note).toMatch(/references were not possible.*variable station is stored big-endian \(>i4\), chunked \[1\] in .*big-1990\.nc but little-endian \(<i4\), chunked \[\d+\] in .*big-1993\.nc/);
    expect(r.validation.summary).toMatchObject({ status: "Success", fatal: [] });
    if (havePython) expect(xarrayCompare(r.product.product, "time", files).problems).toEqual([]);
  });
});
