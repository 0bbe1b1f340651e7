import { describe, expect, it } from "vitest";
import type { DataReport, MetadataReport } from "@drover/shared";
import { FATAL_DATA_ERRORS } from "../../../shared/src/validate/report.js";
import { formatReport, reportRows } from "../../../services/cli/src/views/report.js";

const data: DataReport = {
  variables: {
    data_errors: { tas: { info: "values differ", first: [0, 1, 2], file: "/d/b.nc" } },
    "dtype/precision": { pr: { zarr: "<f4", source: "<f8" } },
  },
  dimensions: { size_errors: { time: { zarr: [35], source: [36] } } },
  compared: { files: ["/d/a.nc"], variables: ["tas"], values: 10 },
};
const meta: MetadataReport = {
  attributes: { global: { history: { type: "not_equal", zarr: "a", source: "b", info: "values differ" } }, tas: { units: { type: "missing", info: "missing from zarr", SKIP: true } } },
  data_vars: { height: { type: "missing", info: "missing from zarr" } },
  groups: {},
  dims: {},
  skipped: { "global.tracking_id": "differs between source files" },
};

describe("reportRows", () => {
  it("puts fatal rows first, then warnings, then what the ignore template bypassed", () => {
    const rows = reportRows(data, meta, FATAL_DATA_ERRORS);
    expect(rows.map((r) => [r.severity, r.subject, r.error])).toEqual([
      ["fatal", "variable tas", "data_errors"],
      ["fatal", "dimension time", "size_errors"],
      ["warning", "variable pr", "dtype/precision"],
      ["warning", "attribute global.history", "not_equal"],
      ["warning", "variable height", "missing"],
      ["bypassed", "attribute tas.units", "missing"],
    ]);
    expect(rows[0]?.detail).toBe('values differ; first=[0,1,2]; file=/d/b.nc');
  });
});

describe("formatReport", () => {
  it("counts, then lists each kind under its heading, then what was skipped on purpose", () => {
    const lines = formatReport(reportRows(data, meta, FATAL_DATA_ERRORS), meta.skipped);
    expect(lines[0]).toBe("2 fatal, 3 warnings, 1 bypassed by the ignore template");
    const text = lines.join("\n");
    expect(text.indexOf("FATAL  variable tas: data_errors — values differ")).toBeGreaterThan(0);
    expect(text.indexOf("FATAL")).toBeLessThan(text.indexOf("WARN "));
    expect(text.indexOf("WARN ")).toBeLessThan(text.indexOf("SKIP "));
    expect(text).toContain("WARN   attribute global.history: not_equal — values differ; zarr=a; source=b");
    expect(text).toContain("global.tracking_id: differs between source files");
  });

  it("says a clean report is clean", () => {
    const empty: MetadataReport = { attributes: {}, data_vars: {}, groups: {}, dims: {}, skipped: {} };
    expect(formatReport(reportRows({ variables: {}, dimensions: {}, compared: { files: [], variables: [], values: 0 } }, empty, FATAL_DATA_ERRORS))).toEqual([
      "0 fatal, 0 warnings, 0 bypassed by the ignore template",
    ]);
  });
});
