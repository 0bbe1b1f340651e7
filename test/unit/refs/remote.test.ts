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
