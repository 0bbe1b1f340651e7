import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isDroverError, scanProject, writeSeries, type SeriesSpec } from "@drover/shared";
import { ncgen, ncgenAvailable, seq } from "../helpers/ncgen.js";
import { tinySeries } from "../helpers/series.js";

const spec = (over: Partial<SeriesSpec> = {}): SeriesSpec =>
  tinySeries({ steps: [4, 4, 4], nlat: 6, chunks: [2, 6, 8], value: (lat, lon, t) => 250 + lat + lon / 10 + t, ...over });

async function scanError(files: string[], work: string): Promise<{ kind: string; message: string; file?: string | undefined; variable?: string | undefined }> {
  try {
    await scanProject("p", files, { format: "zarr" }, work);
  } catch (e) {
    if (isDroverError(e)) return { kind: e.kind, message: e.message, file: e.file, variable: e.variable };
    throw e;
  }
  throw new Error("the scan did not fail");
}

describe("scanning a project", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-scan-"));
  let files: string[] = [];
  beforeAll(async () => {
    files = await writeSeries(join(root, "good"), "good", spec(), 1);
  });

  it("records each file and plans the concatenation along the unlimited dimension", async () => {
    const r = await scanProject("good", [...files].reverse(), { format: "zarr" }, join(root, "w1"));
    expect(r.summary).toMatchObject({ files: 3, concatDim: "time", concatLength: 12, identicalDims: ["lat", "lon"] });
    expect(r.inventory.files.map((f) => f.path)).toEqual(files);
    expect(r.inventory.files.map((f) => [f.concatStart, f.concatLength])).toEqual([[0, 4], [4, 4], [8, 4]]);
    const tas = r.inventory.variables.find((v) => v.name === "tas");
    expect(tas).toMatchObject({ dimensions: ["time", "lat", "lon"], shape: [12, 6, 8], chunks: [2, 6, 8], dtype: "<f4", concatenated: true, filters: ["deflate"] });
    expect(tas?.attributes).toMatchObject({ units: "K", standard_name: "air_temperature" });
    expect(tas?.fillValue).toBe(Math.fround(1e20));
    expect(r.inventory.variables.find((v) => v.name === "lat_bnds")?.concatenated).toBe(false);
    expect(r.inventory.variables.map((v) => v.name)).not.toContain("bnds");
    expect(r.inventory.differingAttributes).toEqual(expect.arrayContaining(["tracking_id", "creation_date"]));
    expect(r.summary.issues).toEqual([expect.objectContaining({ code: "unsorted", severity: "warning" })]);
    expect(JSON.parse(readFileSync(r.inventoryPath, "utf8")).concatLength).toBe(12);
  });

  it("refuses files whose chunk-independent layout differs, naming the file and the variable", async () => {
    const other = await writeSeries(join(root, "wide"), "wide", spec({ nlon: 10, steps: [4, 4, 4] }), 2);
    const mixed = [files[0] ?? "", other[1] ?? ""];
    const e = await scanError(mixed, join(root, "w2"));
    expect(e.kind).toBe("ConcatFatalError");
    expect(e.message).toMatch(/coordinate lon differs between/);
    expect(e.message).toMatch(/variable tas has shape \[4,6,10\] in tas_Amon_.*\.nc but \[4,6,8\]/);
    expect(e.file).toBe(other[1]);
  });

  it("refuses overlapping or duplicated files", async () => {
    const dup = join(root, "dup");
    mkdirSync(dup);
    copyFileSync(files[0] ?? "", join(dup, "copy.nc"));
    const e = await scanError([files[0] ?? "", join(dup, "copy.nc")], join(root, "w3"));
    expect(e.message).toMatch(/copy\.nc starts at time=15, not after the end of .* the files overlap or one is a duplicate/);
  });

  it("names a variable the earliest file lacks even when that file is not listed first", async () => {
    // Listed first: a later file with a scalar height; listed second: the earliest file, without
    // it. The plan once read the earliest file's height and failed with an internal error.
    const withHeight = await writeSeries(join(root, "height"), "height", spec({ height: 2 }), 1);
    const e = await scanError([withHeight[2] ?? "", files[0] ?? ""], join(root, "w5"));
    expect(e.kind).toBe("ConcatFatalError");
    expect(e.message).toContain(`variable height is missing from ${basename(files[0] ?? "")};`);
    expect(e.file).toBe(files[0]);
    expect(e.message).not.toMatch(/internal/);
  });

  it("warns when chunk shapes differ and carries on", async () => {
    const rechunked = await writeSeries(join(root, "rechunked"), "rechunked", spec({ chunks: [1, 6, 8] }), 1);
    const r = await scanProject("p", [files[0] ?? "", rechunked[1] ?? ""], { format: "zarr" }, join(root, "w4"));
    expect(r.summary.issues).toContainEqual(expect.objectContaining({ code: "chunk_shape_differs", severity: "warning", variable: "tas", file: rechunked[1] }));
  });

  it("turns corrupt, truncated, empty and non-HDF5 files into SourceFormatErrors naming the file", async () => {
    const bad = join(root, "bad");
    mkdirSync(bad);
    const cut = join(bad, "cut.nc");
    copyFileSync(files[1] ?? "", cut);
    truncateSync(cut, 5000);
    const empty = join(bad, "empty.nc");
    writeFileSync(empty, "");
    const text = join(bad, "text.nc");
    writeFileSync(text, "netcdf is not a text format\n".repeat(100));
    const nc3 = join(bad, "classic.nc");
    writeFileSync(nc3, Buffer.concat([Buffer.from("CDF\x01"), Buffer.from([0, 0, 0, 1, 0, 0, 0, 10])]));
    const cases: Array<[string, RegExp]> = [
      [cut, /cut\.nc: .*truncated.*re-copy it from the archive/],
      [empty, /empty\.nc: file is empty \(0 bytes\)/],
      [text, /text\.nc: not a netCDF or HDF5 file/],
      [nc3, /classic\.nc: .*re-copy/],
    ];
    for (const [file, re] of cases) {
      const e = await scanError([files[0] ?? "", file], join(root, "w5"));
      expect(e.kind, file).toBe("SourceFormatError");
      expect(e.file).toBe(file);
      expect(e.message).toMatch(re);
      expect(e.message.match(/truncated/g)?.length ?? 0, e.message).toBeLessThanOrEqual(1); // said once
    }
    // A netCDF-3 file whose header is whole but whose records are cut: its times cannot be read.
    if (ncgenAvailable()) {
      const cdl = (t0: number) => `netcdf c { dimensions: time = UNLIMITED ; x = 200 ; variables: double time(time) ; time:units = "days since 2000-01-01" ; float tas(time, x) ; data: time = ${seq(4, t0)} ; tas = ${seq(800)} ; }`;
      const whole = ncgen(join(bad, "whole3.nc"), cdl(0), "nc3");
      const cut3 = ncgen(join(bad, "cut3.nc"), cdl(4), "nc3");
      truncateSync(cut3, 1500);
      const e = await scanError([whole, cut3], join(root, "w6"));
      expect(e.kind).toBe("SourceFormatError");
      expect(e.file).toBe(cut3);
      expect(e.message).toMatch(/cut3\.nc: needed bytes .*re-copy it from the archive/);
    }
    const gone = await scanError([join(bad, "never-there.nc")], join(root, "w5"));
    expect(gone).toMatchObject({ kind: "SourceNotFoundError", file: join(bad, "never-there.nc") });
  });
});
