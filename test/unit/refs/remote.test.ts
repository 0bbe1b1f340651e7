import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publishGroup, rewriteUrls, type KerchunkV1 } from "@drover/shared";

const doc: KerchunkV1 = {
  version: 1,
  refs: {
    ".zgroup": '{"zarr_format":2}',
    "tas/0.0.0": ["file:///badc/cmip6/tas_1.nc", 100, 50],
    "tas/1.0.0": ["file:///elsewhere/tas_2.nc", 10, 5],
    "time/0": "base64:AAAA",
  },
};

describe("the remote copy of references (PADOCC's kr revision)", () => {
  it("rewrites only the references under the local prefix into URLs", () => {
    const r = rewriteUrls(doc, "/badc/", "https://dap.ceda.ac.uk/badc/");
    expect(r.refs["tas/0.0.0"]).toEqual(["https://dap.ceda.ac.uk/badc/cmip6/tas_1.nc", 100, 50]);
    expect(r.refs["tas/1.0.0"]).toEqual(["file:///elsewhere/tas_2.nc", 10, 5]);
    expect(r.refs["time/0"]).toBe("base64:AAAA");
    expect(doc.refs["tas/0.0.0"]).toEqual(["file:///badc/cmip6/tas_1.nc", 100, 50]);
  });

  it("percent-encodes a path's segments for an http(s) server and leaves a local target's path as it is", () => {
    const odd: KerchunkV1 = { version: 1, refs: { "tas/0.0.0": ["file:///badc/run 1/tas \u00e9#2.nc", 100, 50] } };
    // Worked out by hand from RFC 3986: space %20, "é" (UTF-8 C3 A9) %C3%A9, "#" %23; "/" kept.
    expect(rewriteUrls(odd, "/badc/", "https://dap.ceda.ac.uk/badc/").refs["tas/0.0.0"]).toEqual(["https://dap.ceda.ac.uk/badc/run%201/tas%20%C3%A9%232.nc", 100, 50]);
    // fsspec reads a local path after "file://" as written: nothing may be escaped there.
    expect(rewriteUrls(odd, "/badc/", "file:///mirror/badc/").refs["tas/0.0.0"]).toEqual(["file:///mirror/badc/run 1/tas \u00e9#2.nc", 100, 50]);
  });

  it("publishes the remote copy beside the local references at completion", () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-remote-"));
    mkdirSync(join(dir, "work"));
    const product = join(dir, "work", "k1.0a.json");
    writeFileSync(product, JSON.stringify(doc));
    writeFileSync(join(dir, "work", "d.json"), "{}");
    writeFileSync(join(dir, "work", "m.json"), "{}");
    const { items } = publishGroup(
      "g",
      { completeDir: join(dir, "complete"), projects: [{ code: "p", product, revision: "k1.0", dataReport: join(dir, "work", "d.json"), metadataReport: join(dir, "work", "m.json") }] },
      new Date(),
      { from: "/badc/", to: "https://dap.ceda.ac.uk/badc/" },
    );
    expect(items[0]?.product).toBe(join(dir, "complete", "g", "data", "p.k1.0.json"));
    expect(items[0]?.remote).toBe(join(dir, "complete", "g", "data", "p.kr1.0.json"));
    const remote = JSON.parse(readFileSync(items[0]?.remote ?? "", "utf8")) as KerchunkV1;
    expect(remote.refs["tas/0.0.0"]).toEqual(["https://dap.ceda.ac.uk/badc/cmip6/tas_1.nc", 100, 50]);
    expect(JSON.parse(readFileSync(items[0]?.product ?? "", "utf8"))).toEqual(doc);
  });
});
