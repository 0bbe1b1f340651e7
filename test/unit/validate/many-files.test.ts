import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanProject, validateProduct, writeSeries, writeZarrProduct, type ProjectConfig, type SeriesSpec } from "@drover/shared";

// The validator service reads its sources in its own thread, through a pool of at most 16 open
// HDF5 files. Describing every file at once once took files from that pool before waiting for
// the HDF5 library, so the 17th file closed the 1st before it was described: a project of more
// files than the pool holds failed with "identifier is not of specified type; the file is damaged".

const FILES = 20; // more than the pool's 16

const spec: SeriesSpec = {
  variable: "tas",
  standardName: "air_temperature",
  longName: "near-surface air temperature",
  units: "K",
  table: "day",
  frequency: "day",
  steps: Array.from({ length: FILES }, () => 1),
  stepDays: 1,
  nlat: 3,
  nlon: 4,
  chunks: [1, 3, 4],
  value: (lat, lon, t) => 250 + lat + lon / 10 + t / 100,
};

const config: ProjectConfig = { format: "zarr" };

describe("validating a project of more files than the validator keeps open", () => {
  const root = mkdtempSync(join(tmpdir(), "drover-many-"));
  let files: string[] = [];
  let product = "";
  beforeAll(async () => {
    files = await writeSeries(join(root, "src"), "tas", spec, 5);
    const inv = (await scanProject("tas", files, config, join(root, "work"))).inventory;
    product = (await writeZarrProduct(inv, join(root, "work"))).product;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("describes and compares every file, in this thread", async () => {
    expect(files).toHaveLength(FILES);
    const result = await validateProduct({ project: "tas", files, config, product, workDir: join(root, "validate") });
    expect(result.summary.status).toBe("Success");
    expect(result.summary.filesCompared).toEqual(files);
  });
});
