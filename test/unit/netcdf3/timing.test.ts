import { describe, expect, it } from "vitest";
import { openFileSource } from "../../../shared/src/formats/byte-source.js";
import { readNetcdf3Layout } from "../../../shared/src/formats/netcdf3/index.js";
import { fixturePath } from "./truth.js";

/** Mean milliseconds per call after warm-up. */
function msPerCall(fn: () => void, warmup = 200, runs = 2000): number {
  for (let i = 0; i < warmup; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / runs;
}

describe("reading a typical CF header is fast", () => {
  const path = fixturePath("classic.cf-typical.nc");

  it("opens, reads and closes a CMIP-like file (8 variables, 67 attributes) in well under a millisecond", () => {
    const ms = msPerCall(() => {
      const source = openFileSource(path);
      try {
        readNetcdf3Layout(source);
      } finally {
        source.close();
      }
    });
    console.log(`readNetcdf3Layout incl. open/close: ${ms.toFixed(4)} ms per file`);
    expect(ms).toBeLessThan(5);
  });

  it("parses the header of an already-open file in well under a millisecond", () => {
    const source = openFileSource(path);
    try {
      const ms = msPerCall(() => readNetcdf3Layout(source));
      console.log(`readNetcdf3Layout on an open source: ${ms.toFixed(4)} ms per file`);
      expect(ms).toBeLessThan(5);
    } finally {
      source.close();
    }
  });
});
