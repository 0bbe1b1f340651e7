import { describe, expect, it } from "vitest";
import type { VariableInfo } from "../../../shared/src/h5/describe.js";
import { parsePythonJson } from "../../../shared/src/json/python-json-parse.js";
import { compareVariableAttributes, zarrayFill } from "../../../shared/src/validate/attributes.js";
import { attributeDifference } from "../../../shared/src/validate/attribute-compare.js";
import { checkMetadataValue } from "../../../shared/src/validate/metadata-documents.js";
import { emptyMetadataReport } from "../../../shared/src/validate/report.js";

// 64-bit integers beyond 2^53 in the validator: a product that rounds one (a JavaScript number
// written where the source holds an exact int64) must be reported, and a fill value numpy cannot
// store in the variable's dtype refused. The limits below are those of two's complement integers.

const NC_FILL_INT64 = -9223372036854775806n; // netCDF's default fill for int64 (netcdf.h)

function variable(attributes: VariableInfo["attributes"], floatAttributes: string[] = []): VariableInfo {
  return { name: "count", path: "/count", dimensions: ["time"], shape: [2], unlimited: [true], dtype: "<i8", kind: "int", chunks: null, filters: [], attributes, floatAttributes, isCoordinate: false };
}

/** The metadata report of one variable's .zarray and .zattrs text against its source attributes. */
function report(zarrayText: string, zattrsText: string, source: VariableInfo) {
  const meta = emptyMetadataReport();
  const zattrs = parsePythonJson(zattrsText) as Record<string, never>;
  compareVariableAttributes(source, zattrs, zarrayFill(parsePythonJson(zarrayText)), meta);
  return meta.attributes["count"] ?? {};
}

describe("the validator on 64-bit integers beyond 2^53", () => {
  it("reports a fill value or an attribute the product rounded, and passes the exact ones", () => {
    const source = variable({ _FillValue: NC_FILL_INT64, big: 9007199254740993n });
    const exact = report('{"dtype": "<i8", "fill_value": -9223372036854775806}', '{"big": 9007199254740993}', source);
    expect(exact).toEqual({});
    // What JSON.stringify of the nearest doubles writes:
    const rounded = report('{"dtype": "<i8", "fill_value": -9223372036854776000}', '{"big": 9007199254740992}', source);
    expect(Object.keys(rounded).sort()).toEqual(["_FillValue", "big"]);
    expect(JSON.stringify(rounded)).toContain("-9223372036854775806");
  });

  it("takes a float fill value spelled as a long integer as the float it is", () => {
    // 1e20 stored as float32 is 100000002004087734272; JavaScript prints the double as 100000002004087730000, which Python reads back to the same float32.
    const source = variable({ _FillValue: Math.fround(1e20) }, ["_FillValue"]);
    expect(report('{"dtype": "<f4", "fill_value": 100000002004087730000}', "{}", source)).toEqual({});
    expect(Object.keys(report('{"dtype": "<f4", "fill_value": 100000002004087740000000}', "{}", source))).toEqual(["_FillValue"]);
  });

  it("does not equate an exact int64 attribute with a neighbouring value", () => {
    expect(attributeDifference(parsePythonJson("[1, 18446744073709551615]"), [1, 18446744073709551615n], "integer")).toBeUndefined();
    expect(attributeDifference(parsePythonJson("[1, 18446744073709551614]"), [1, 18446744073709551615n], "integer")).toMatch(/element 1/);
  });

  it("refuses a fill value the dtype cannot hold", () => {
    const problems = (fill: string, dtype: string) => checkMetadataValue("count/.zarray", parsePythonJson(`{"dtype": "${dtype}", "fill_value": ${fill}, "shape": [2], "chunks": [2]}`));
    expect(problems("-9223372036854775808", "<i8")).toEqual([]);
    expect(problems("9223372036854775807", "<i8")).toEqual([]);
    expect(problems("18446744073709551615", "<u8")).toEqual([]);
    expect(problems("255", "|u1")).toEqual([]);
    expect(problems("-9223372036854775809", "<i8")[0]).toMatch(/outside the range of <i8/);
    expect(problems("18446744073709551616", "<u8")[0]).toMatch(/outside the range of <u8/);
    expect(problems("-1", ">u2")[0]).toMatch(/outside the range/);
    expect(problems("128", "|i1")[0]).toMatch(/outside the range/);
    expect(problems("1.5", "<i4")[0]).toMatch(/not an integer/);
    expect(problems("1e+20", "<f4")).toEqual([]);
  });
});
