import { describe, expect, it } from "vitest";
import { parseOverrides } from "../../../services/cli/src/overrides.js";

describe("drover retry --set", () => {
  it("turns PADOCC's override words into a config change", () => {
    expect(parseOverrides(["concat_dim=time", "identical-dims=lat, lon", "format=zarr", "time=90m", "memory=4G", "keep_vars=tas"])).toEqual({
      concatDim: "time",
      identicalDims: ["lat", "lon"],
      format: "zarr",
      keepVars: ["tas"],
      budget: { seconds: 5400, memoryMb: 4096 },
    });
    expect(parseOverrides(["time=7200"])).toEqual({ budget: { seconds: 7200 } });
    expect(parseOverrides([])).toBeUndefined();
  });

  it("names what is wrong and the keys there are", () => {
    expect(() => parseOverrides(["concatdim=time"])).toThrow(/--set concatdim=time: unknown key; the keys are:\n {2}concat_dim/);
    expect(() => parseOverrides(["format=netcdf"])).toThrow(/--set: format: /);
    expect(() => parseOverrides(["time=soon"])).toThrow(/--set time=soon: give a number with an optional unit \(s, m, h\)/);
    expect(() => parseOverrides(["memory=32"])).toThrow(/budget.memoryMb/);
    expect(() => parseOverrides(["concat_dim="])).toThrow(/give a value/);
  });
});
