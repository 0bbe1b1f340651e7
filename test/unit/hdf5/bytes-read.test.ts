// The reader touches metadata only: on a file of several megabytes of data it reads a small
// fraction of the bytes. The large file is written at test time (h5wasm), not committed.

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import { readHdf5Layout } from "../../../shared/src/formats/hdf5/index.js";
import { FIXTURES } from "./truth.js";

describe("reading only metadata", () => {
  let dir: string;
  let path: string;

  beforeAll(async () => {
    await h5wasm.ready;
    dir = mkdtempSync(join(tmpdir(), "drover-hdf5-"));
    path = join(dir, "large.nc");
    const f = new h5wasm.File(path, "w");
    const times = new Float64Array(100).map((_, i) => i);
    const time = f.create_dataset({ name: "time", data: times, maxshape: [null], chunks: [100] });
    time.make_scale("time");
    const lat = f.create_dataset({ name: "lat", data: new Float32Array(90).map((_, i) => i - 45) });
    lat.make_scale("lat");
    const lon = f.create_dataset({ name: "lon", data: new Float32Array(120).map((_, i) => i * 3) });
    lon.make_scale("lon");
    const values = new Float32Array(100 * 90 * 120).map((_, i) => Math.sin(i));
    const tas = f.create_dataset({
      name: "tas",
      data: values,
      shape: [100, 90, 120],
      maxshape: [null, 90, 120],
      chunks: [10, 90, 120],
    });
    tas.create_attribute("units", "K");
    tas.attach_scale(0, "time");
    tas.attach_scale(1, "lat");
    tas.attach_scale(2, "lon");
    const pr = f.create_dataset({ name: "pr", data: values.subarray(0, 90 * 120), shape: [90, 120] });
    pr.attach_scale(0, "lat");
    pr.attach_scale(1, "lon");
    f.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads under a tenth of a multi-megabyte file and still finds every chunk", () => {
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(4_000_000);
    const source = openFileSource(path);
    try {
      const layout = readHdf5Layout(source);
      const tas = layout.variables.find((v) => v.path === "/tas");
      expect(tas?.dimensions).toEqual(["time", "lat", "lon"]);
      if (tas?.storage.kind !== "chunked") throw new Error("tas should be chunked");
      expect(tas.storage.chunks).toHaveLength(10);
      expect(tas.storage.chunks.reduce((n, c) => n + c.length, 0)).toBe(100 * 90 * 120 * 4);
      expect(source.bytesRead).toBeLessThan(size / 10);
    } finally {
      source.close();
    }
  });

  it("reads each fixture's metadata with no more bytes than the file has", () => {
    const path = `${FIXTURES}nc4.full.time-unlimited.deflate-fletcher32.groups.nc`;
    const source = openFileSource(path, { blockSize: 512 });
    try {
      readHdf5Layout(source);
      expect(source.bytesRead).toBeLessThan(source.size);
    } finally {
      source.close();
    }
  });
});
