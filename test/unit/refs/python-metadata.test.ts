import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanProject, validateProduct, type ProjectConfig } from "@drover/shared";
import { writeZarrProduct } from "../../../shared/src/compute/write-zarr.js";
import { buildReferences } from "../../../shared/src/refs/write-refs.js";
import { computeProduct, tasks } from "../../../shared/src/tasks/tasks.js";
import { ncgen, ncgenAvailable } from "../../helpers/ncgen.js";
import { readParquetRefRows } from "../../helpers/parquet-independent.js";
import { ROOT } from "../../helpers/processes.js";
import { PYTHON, pythonHasXarray, xarrayCompare } from "../../helpers/python.js";

// Issue 7, items 3-5: attributes that are NaN or infinite, text that is not ASCII and dimensions
// with no records, in files written by netCDF-C (ncgen) and h5py. Every product — Kerchunk JSON
// (computer and one-shot), Parquet references, the Zarr copy — must open in Python (xarray over
// zarr 2) with every attribute exactly as netCDF4-python reads it from the source, and pass
// drover's own validator; and the validator must itself catch such defects.

const root = mkdtempSync(join(tmpdir(), "drover-pymeta-"));
const haveNcgen = ncgenAvailable();
const havePython = pythonHasXarray();

/** time × lat, with non-finite and non-ASCII attributes; `kind` nc4 adds an NC_STRING attribute. */
function special(name: string, t0: number, steps: number, kind: "nc4" | "nc3"): string {
  const values = Array.from({ length: steps * 3 }, (_, i) => (i % 4 === 1 ? "NaNf" : `${t0 * 3 + i}.5f`)).join(", ");
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = 3 ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  float lat(lat) ;
    lat:units = "degrees_north" ;
  float pm25(time, lat) ;
    pm25:units = "µg/m3" ;
    pm25:long_name = "PM2.5 — fine particles ≤ 2.5 µm" ;
    pm25:missing_value = NaNf ;
    pm25:_FillValue = NaNf ;
    pm25:valid_max = Infinityf ;
    pm25:valid_min = -Infinityf ;
    pm25:levels = 1.f, NaNf, Infinityf ;
    pm25:zero = 0.f ;
    pm25:offset = 1000. ;
    pm25:count = 3 ;
    ${kind === "nc4" ? 'string pm25:note = "≥ 0 µg/m3, 😀" ;' : ""}
  float tas(time, lat) ;
    tas:units = "°C" ;
    tas:_FillValue = -999.f ;
  :comment = "temperatures in °C, concentrations in µg/m3" ;
  :nan_global = NaN ;
  :inf_global = -Infinity ;
  :answer = 42 ;
data:
  time = ${Array.from({ length: steps }, (_, i) => t0 + i).join(", ")} ;
  lat = -10, 0, 10 ;
  pm25 = ${values} ;
  tas = ${Array.from({ length: steps * 3 }, (_, i) => (i === 2 ? "-999" : String(t0 + i / 4))).join(", ")} ;
}
`,
    kind,
  );
}

/** time (UNLIMITED, `steps` records, possibly none) × lat. */
function records(name: string, t0: number, steps: number, kind: "nc4" | "nc3"): string {
  const data = steps === 0 ? "" : `time = ${Array.from({ length: steps }, (_, i) => t0 + i).join(", ")} ;\n  tas = ${Array.from({ length: steps * 3 }, (_, i) => String(i + t0)).join(", ")} ;`;
  return ncgen(
    join(root, `${name}.nc`),
    `netcdf ${name} {
dimensions:
  time = UNLIMITED ;
  lat = 3 ;
variables:
  double time(time) ;
    time:units = "days since 2000-01-01" ;
  float lat(lat) ;
  float tas(time, lat) ;
    tas:_FillValue = -999.f ;
data:
  lat = -1, 0, 1 ;
  ${data}
}
`,
    kind,
  );
}

/** A netCDF4-style file from h5py whose time dimension is fixed at length 0 (maxshape 0), contiguous: CDL cannot say that. */
function fixedEmpty(name: string): string {
  const path = join(root, `${name}.nc`);
  const r = spawnSync(
    PYTHON,
    [
      "-c",
      `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    t = f.create_dataset("time", shape=(0,), maxshape=(0,), dtype="f8"); t.make_scale("time")
    t.attrs["units"] = np.bytes_("days since 2000-01-01")
    la = f.create_dataset("lat", data=np.array([-1, 0, 1], "f4")); la.make_scale("lat")
    v = f.create_dataset("tas", shape=(0, 3), maxshape=(0, 3), dtype="f4", fillvalue=np.float32(-999))
    v.attrs["_FillValue"] = np.float32(-999)
    v.dims[0].attach_scale(t); v.dims[1].attach_scale(la)`,
      path,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`h5py failed: ${r.stderr}`);
  return path;
}

function python(script: string, args: string[]): { status: number | null; out: { problems: string[] } | undefined; stderr: string } {
  const r = spawnSync(PYTHON, [join(ROOT, "test", "python", script), ...args], { encoding: "utf8" });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  let out: { problems: string[] } | undefined;
  try {
    out = JSON.parse(line) as { problems: string[] };
  } catch {
    out = undefined;
  }
  return { status: r.status, out, stderr: r.stderr ?? "" };
}

/** Every attribute of `file` as netCDF4-python reads it, in the product as xarray reads it: the problems. */
function attributeProblems(product: string, file: string): string[] {
  const r = python("attributes.py", [product, file]);
  if (!r.out) throw new Error(`attributes.py failed (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  return r.out.problems;
}

/** Kerchunk JSON built from a Parquet reference set as fsspec's LazyReferenceMapper reads it (see parquet_refs.py), its rows read by an independent Parquet reader. */
async function parquetAsJson(dir: string): Promise<string> {
  const rows: Record<string, unknown[]> = {};
  const walk = async (at: string, prefix: string) => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const files = readdirSync(join(at, e.name)).filter((f) => /^refs\.\d+\.parq$/.test(f));
      if (files.length === 0) {
        await walk(join(at, e.name), `${prefix}${e.name}/`);
        continue;
      }
      const list: unknown[] = [];
      for (const f of files.sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]))) {
        // Read with parquet-wasm (arrow-rs), not the hyparquet family that wrote the file.
        for (const row of readParquetRefRows(readFileSync(join(at, e.name, f)))) list.push(row);
      }
      rows[`${prefix}${e.name}`] = list;
    }
  };
  await walk(dir, "");
  const rowsPath = `${dir}.rows.json`;
  writeFileSync(rowsPath, JSON.stringify(rows));
  const out = `${dir}.as.json`;
  const r = spawnSync(PYTHON, [join(ROOT, "test", "python", "parquet_refs.py"), dir, rowsPath, out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`parquet_refs.py failed: ${r.stderr}`);
  return out;
}

type Kind = "refs" | "one-shot" | "parquet" | "zarr" | "service-refs" | "service-zarr";

/** One product of `files` by the path named, and what drover's validator says of it. */
async function product(project: string, files: string[], kind: Kind) {
  const work = join(root, "work", project, kind);
  const config: ProjectConfig = { format: kind === "zarr" || kind === "service-zarr" ? "zarr" : "kerchunk" };
  const scan = await scanProject(project, files, config, work);
  let path: string;
  if (kind === "zarr") path = (await writeZarrProduct(scan.inventory, work)).product;
  else if (kind === "parquet") path = (await computeProduct(scan.inventory, "kerchunk", work, () => {}, { parquetAbove: 0 })).product;
  else if (kind === "refs") path = (await computeProduct(scan.inventory, "kerchunk", work, () => {})).product;
  else if (kind === "service-refs" || kind === "service-zarr") {
    // The services' path: the computer reads the scan's inventory back from disk.
    path = (await tasks.compute({ project, roots: [root], request: { files, config, inventory: scan.inventoryPath, workDir: work } }, () => {})).product;
  } else {
    // `drover refs`: references built in process from the scan's layouts, written as the CLI writes them.
    const { doc } = buildReferences(scan.inventory, undefined, {}, () => {}, scan.layouts);
    path = join(work, "one-shot.json");
    writeFileSync(path, JSON.stringify(doc));
  }
  const validation = await validateProduct({ project, files, config, product: path, workDir: work });
  const python = kind === "parquet" ? await parquetAsJson(path) : path;
  return { path, python, validation, scan };
}

const kinds: Kind[] = ["refs", "one-shot", "parquet", "zarr", "service-refs", "service-zarr"];

describe.skipIf(!haveNcgen)("NaN, infinite and non-ASCII attributes", () => {
  for (const format of ["nc4", "nc3"] as const) {
    for (const kind of kinds) {
      it(`${kind} product of ${format} files opens in Python with every attribute exact, and validates`, async () => {
        const files = [special(`special-${format}-a-${kind}`, 0, 3, format), special(`special-${format}-b-${kind}`, 3, 2, format)];
        const r = await product(`special-${format}-${kind}`, files, kind);
        expect(r.validation.summary).toMatchObject({ outcome: "Success", status: "Success", fatal: [], warnings: [] });
        if (!havePython) return;
        expect(xarrayCompare(r.python, "time", files).problems).toEqual([]);
        expect(attributeProblems(r.python, files[0] as string)).toEqual([]);
      });
    }
  }

  it("keeps NaN attributes when the references come from the per-file cache", async () => {
    const files = [special("cached-a", 0, 3, "nc4"), special("cached-b", 3, 2, "nc4")];
    const work = join(root, "work", "cached");
    const config: ProjectConfig = { format: "kerchunk" };
    const scan = await scanProject("cached", files, config, work);
    const first = readFileSync((await computeProduct(scan.inventory, "kerchunk", work, () => {})).product, "utf8");
    expect(readdirSync(join(work, "cache")).length).toBe(2);
    const again = await computeProduct(scan.inventory, "kerchunk", work, () => {});
    expect(readFileSync(again.product, "utf8")).toBe(first);
    const v = await validateProduct({ project: "cached", files, config, product: again.product, workDir: work });
    expect(v.summary).toMatchObject({ outcome: "Success", warnings: [] });
    if (havePython) expect(attributeProblems(again.product, files[0] as string)).toEqual([]);
  });
});

describe.skipIf(!haveNcgen)("dimensions with no records", () => {
  /** The product of `files` validates, and opens in Python with `total` steps along time, no chunk length 0, and the sources' values. */
  async function check(project: string, files: string[], kind: Kind, total: number): Promise<void> {
    const r = await product(project, files, kind);
    expect(r.validation.summary).toMatchObject({ outcome: "Success", fatal: [], warnings: [] });
    if (!havePython) return;
    const shapes = spawnSync(
      PYTHON,
      [
        "-c",
        `import sys, json, fsspec, zarr
p = sys.argv[1]
g = zarr.open_group(fsspec.filesystem("reference", fo=p).get_mapper("") if p.endswith(".json") else p, mode="r")
print(json.dumps({k: [list(a.shape), list(a.chunks)] for k, a in g.arrays()}))`,
        r.python,
      ],
      { encoding: "utf8" },
    );
    expect(shapes.status, shapes.stderr).toBe(0);
    const arrays = JSON.parse(shapes.stdout) as Record<string, [number[], number[]]>;
    expect(arrays).toMatchObject({ tas: [[total, 3], expect.any(Array)], time: [[total], expect.any(Array)] });
    for (const [shape, chunks] of Object.values(arrays)) {
      expect(chunks).toHaveLength(shape.length);
      expect(Math.min(...chunks)).toBeGreaterThanOrEqual(1);
    }
    expect(xarrayCompare(r.python, "time", files).problems).toEqual([]);
  }

  for (const kind of ["refs", "one-shot", "parquet", "zarr"] as const) {
    it(`${kind}: a netCDF-4 file whose UNLIMITED dimension has no records, alone and between two others`, async () => {
      const empty = records(`empty4-${kind}`, 0, 0, "nc4");
      await check(`empty4-${kind}`, [empty], kind, 0);
      await check(`series-${kind}`, [records(`series-a-${kind}`, 0, 3, "nc4"), empty, records(`series-b-${kind}`, 3, 2, "nc4")], kind, 5);
    });

    it(`${kind}: a netCDF-3 file whose record dimension has no records`, async () => {
      await check(`empty3-${kind}`, [records(`empty3-${kind}`, 0, 0, "nc3")], kind, 0);
    });

    it(`${kind}: an h5py file with a fixed dimension of length 0`, async () => {
      await check(`fixed0-${kind}`, [fixedEmpty(`fixed0-${kind}`)], kind, 0);
    });
  }
});

describe.skipIf(!haveNcgen)("the validator catches metadata Python cannot read as meant", () => {
  /** A copy of a faithful product of the special files, one metadata text edited. */
  async function broken(kind: "refs" | "zarr" | "parquet", key: string, edit: (text: string) => string) {
    const files = [special(`broken-${kind}-a`, 0, 3, "nc4"), special(`broken-${kind}-b`, 3, 2, "nc4")];
    const good = await product(`broken-${kind}`, files, kind);
    expect(good.validation.summary.outcome).toBe("Success");
    const bad = join(root, "work", `broken-${kind}`, `bad-${key.replace(/\W/g, "_")}${kind === "refs" ? ".json" : kind === "zarr" ? ".zarr" : ".parq"}`);
    if (kind === "refs") {
      const doc = JSON.parse(readFileSync(good.path, "utf8")) as { refs: Record<string, unknown> };
      const text = doc.refs[key] as string;
      expect(edit(text)).not.toBe(text);
      doc.refs[key] = edit(text);
      writeFileSync(bad, JSON.stringify(doc));
    } else {
      cpSync(good.path, bad, { recursive: true });
      const file = join(bad, key);
      const text = readFileSync(file, "utf8");
      expect(edit(text)).not.toBe(text);
      writeFileSync(file, edit(text));
    }
    const config: ProjectConfig = { format: kind === "zarr" ? "zarr" : "kerchunk" };
    const v = await validateProduct({ project: `broken-${kind}`, files, config, product: bad, workDir: join(root, "work", `broken-${kind}`, "bad-reports") });
    return { files, bad, v };
  }

  it("fails references whose .zattrs holds raw non-ASCII text, which zarr-python cannot decode", async () => {
    const { files, bad, v } = await broken("refs", "pm25/.zattrs", (t) => t.replace("\\u00b5g/m3", "µg/m3"));
    expect(v.summary.outcome).toBe("Fatal");
    expect(v.summary.fatal).toContain("unreadable_metadata:pm25/.zattrs");
    expect(JSON.stringify(v.data.variables["unreadable_metadata"]?.["pm25/.zattrs"])).toMatch(/byte 0xc2 at offset \d+ is not ASCII/);
    // The truth: Python's zarr cannot open it.
    if (havePython) expect(() => xarrayCompare(bad, "time", files)).toThrow(/UnicodeDecodeError|ascii/);
  });

  it("fails a Zarr copy whose .zattrs holds raw non-ASCII text", async () => {
    const { v } = await broken("zarr", ".zattrs", (t) => t.replace("\\u00b0C", "°C"));
    expect(v.summary.outcome).toBe("Fatal");
    expect(v.summary.fatal).toContain("unreadable_metadata:.zattrs");
  });

  it("fails Parquet references whose .zmetadata holds raw non-ASCII text", async () => {
    const { v } = await broken("parquet", ".zmetadata", (t) => t.replace("\\u00b5g/m3", "µg/m3"));
    expect(v.summary.outcome).toBe("Fatal");
    expect(v.summary.fatal).toContain("unreadable_metadata:.zmetadata");
  });

  for (const [name, from, to] of [
    ["missing_value", '"missing_value": NaN', '"missing_value": null'],
    ["valid_max", '"valid_max": Infinity', '"valid_max": null'],
    ["offset", '"offset": 1000.0', '"offset": 1000'],
  ] as const) {
    it(`warns (blocking Validated) when ${name} is written as ${to.split(": ")[1]}, which Python reads as another value or kind`, async () => {
      const { files, bad, v } = await broken("refs", "pm25/.zattrs", (t) => t.replace(from, to));
      expect(v.summary.outcome).toBe("Warning");
      expect(v.summary.warnings).toEqual([`pm25_${name}_not_equal`]);
      if (havePython) expect(attributeProblems(bad, files[0] as string)).toEqual([expect.stringMatching(new RegExp(`^pm25: attribute ${name}: `))]);
    });
  }

  it("warns when a NaN global attribute is written as null", async () => {
    const { v } = await broken("zarr", ".zattrs", (t) => t.replace('"nan_global": NaN', '"nan_global": null'));
    expect(v.summary).toMatchObject({ outcome: "Warning", warnings: ["global_nan_global_not_equal"] });
  });

  it("fails a fill_value written as a bare NaN token instead of the Zarr v2 string \"NaN\"", async () => {
    const { v } = await broken("refs", "pm25/.zarray", (t) => t.replace('"fill_value":"NaN"', '"fill_value":NaN'));
    expect(v.summary.outcome).toBe("Fatal");
    expect(JSON.stringify(v.data.variables["unreadable_metadata"]?.["pm25/.zarray"])).toMatch(/bare token NaN/);
  });

  it("fails a zero chunk length, which zarr-python divides by", async () => {
    const files = [records("zero-chunk", 0, 0, "nc4")];
    const good = await product("zero-chunk", files, "refs");
    const doc = JSON.parse(readFileSync(good.path, "utf8")) as { refs: Record<string, string> };
    doc.refs["tas/.zarray"] = (doc.refs["tas/.zarray"] ?? "").replace('"chunks":[1,3]', '"chunks":[0,3]');
    expect(doc.refs["tas/.zarray"]).toContain('"chunks":[0,3]');
    const bad = join(root, "work", "zero-chunk", "bad.json");
    writeFileSync(bad, JSON.stringify(doc));
    const v = await validateProduct({ project: "zero-chunk", files, config: { format: "kerchunk" }, product: bad, workDir: join(root, "work", "zero-chunk", "bad-reports") });
    expect(v.summary.fatal).toContain("unreadable_metadata:tas/.zarray");
    if (havePython) expect(() => xarrayCompare(bad, "time", files)).toThrow(/ZeroDivisionError/);
  });
});
