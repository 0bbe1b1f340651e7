import { describe, expect, it } from "vitest";
import type { ProjectDoc } from "@drover/shared";
import { addProject, emptySummary, formatSummary, productFormat, totalOf } from "../../../services/cli/src/views/summary.js";

type P = Parameters<typeof addProject>[1];
const project = (code: string, product: string | undefined, scanBytes?: number): P => ({
  code,
  files: ["/d/a.nc", "/d/b.nc"],
  outputs: { workDir: "/w", ...(product ? { product } : {}) },
  scan: scanBytes === undefined ? undefined : { files: 2, bytes: scanBytes, variables: [], concatDim: "time", identicalDims: [], concatLength: 2, chunks: 10, issues: [] },
  compute: product ? { format: product.endsWith(".zarr") ? "zarr" : "kerchunk", revision: "k1.0", variables: 3, chunksWritten: 8, bytesWritten: 1500, seconds: 0.1 } : undefined,
});

describe("summarise", () => {
  it("names the format from the product's path", () => {
    expect(productFormat({ outputs: { workDir: "/w", product: "/w/k1.0a.parq" }, compute: undefined } as Pick<ProjectDoc, "outputs" | "compute">)).toBe("kerchunk parquet");
    expect(productFormat({ outputs: { workDir: "/w", product: "/w/k1.0a.json", completedProduct: "/c/x.z1.0.zarr" }, compute: undefined } as Pick<ProjectDoc, "outputs" | "compute">)).toBe("zarr");
    expect(productFormat({ outputs: { workDir: "/w" }, compute: undefined } as Pick<ProjectDoc, "outputs" | "compute">)).toBeUndefined();
  });

  it("adds up projects, sources, formats, sizes and chunks, and says what is not scanned yet", () => {
    const s = emptySummary("g");
    addProject(s, project("a", "/w/a/k1.0a.json", 2_000_000));
    addProject(s, project("b", "/w/b/z1.0a.zarr", 3_000_000));
    addProject(s, project("c", undefined));
    expect(s).toMatchObject({ projects: 3, scanned: 2, sourceFiles: 6, sourceBytes: 5_000_000, sourceChunks: 20, formats: { "kerchunk json": 1, zarr: 1 }, productBytes: 3000, chunksWritten: 16 });
    expect(formatSummary(s)).toEqual([
      "g: 3 projects",
      "  source files:  6 files, 5.0 MB, 20 chunks (bytes and chunks of 2 scanned projects; 1 not scanned yet)",
      "  products:      kerchunk json 1, zarr 1; 3.0 kB, 16 chunks written",
      "  largest:       a (1.5 kB)",
    ]);
    const t = totalOf("all", [s, s]);
    expect(t).toMatchObject({ projects: 6, sourceBytes: 10_000_000, formats: { "kerchunk json": 2, zarr: 2 }, largestProduct: { project: "g/a", bytes: 1500 } });
  });

  it("says when a group has no product yet", () => {
    expect(formatSummary(emptySummary("empty"))[2]).toBe("  products:      none yet");
  });
});
