import type { SeriesSpec } from "@drover/shared";

/** A small monthly air-temperature series for tests; `over` changes what a test is about. */
export function tinySeries(over: Partial<SeriesSpec> = {}): SeriesSpec {
  return {
    variable: "tas",
    standardName: "air_temperature",
    longName: "air temperature",
    units: "K",
    table: "Amon",
    frequency: "mon",
    steps: [2],
    stepDays: 30,
    nlat: 4,
    nlon: 8,
    chunks: [1, 4, 8],
    value: (lat, lon, t) => 280 + lat + lon / 10 + t,
    ...over,
  };
}
