import { describe, expect, it } from "vitest";
import { pythonJson } from "../../../shared/src/json/python-json.js";
import { kerchunkJson } from "../../../shared/src/refs/serialise.js";
import type { KerchunkV1 } from "../../../shared/src/refs/types.js";

// The Kerchunk JSON text: written through the engine's JSON writer when every reference is text
// or [url, offset, length], and then the same text, byte for byte, as the general writer's.

const doc = (refs: Record<string, unknown>): KerchunkV1 => ({ version: 1, refs }) as KerchunkV1;

describe("Kerchunk JSON text", () => {
  const awkward = doc({
    ".zgroup": '{"zarr_format":2}',
    ".zattrs": '{"title":"caf\\u00e9"}',
    "tas/0.0.0": ["file:///data/caf\u00e9/t\u00e4s.nc", 4096, 20000],
    "tas/0.0.1": ["file:///data/emoji-\u{1F600}/del\u007f/x.nc", 0, 1],
    "tas/1.0.0": "base64:AAAA",
    "q\"uote\\d/0": ["file:///tab\there/line\nfeed.nc", 9007199254740991, -0],
    "whole/0": ["file:///whole.nc"],
    "10": "integer-like keys keep their place",
  });

  it("is ASCII, escapes as Python's json.dumps does, and reads back as the same references", () => {
    const text = kerchunkJson(awkward);
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(text).toContain("caf\\u00e9/t\\u00e4s.nc");
    expect(text).toContain("emoji-\\ud83d\\ude00/del\\u007f/x.nc");
    expect(text).toContain("tab\\there/line\\nfeed.nc");
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(awkward)));
  });

  it("is the general writer's text exactly", () => {
    expect(kerchunkJson(awkward)).toBe(pythonJson(awkward));
  });

  it("leaves to the general writer a document the engine's writer would spell differently", () => {
    const odd = doc({ "x/0": ["file:///x.nc", 1.5, Number.NaN] as unknown as string });
    expect(kerchunkJson(odd)).toBe(pythonJson(odd));
    expect(kerchunkJson(odd)).toContain("NaN");
    const extra = { ...doc({ a: "b" }), templates: { u: "file:///\u00e9" } } as unknown as KerchunkV1;
    expect(kerchunkJson(extra)).toBe(pythonJson(extra));
    expect(kerchunkJson(extra)).toContain("templates");
  });
});
