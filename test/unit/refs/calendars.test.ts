import { describe, expect, it } from "vitest";
import { reencoder, sameCalendar } from "../../../shared/src/refs/cf-time.js";

// CF conventions §4.4.1: "gregorian" is a deprecated name of "standard", "365_day" of "noleap",
// "366_day" of "all_leap"; the attribute is case-insensitive and "standard" when absent.

describe("sameCalendar", () => {
  it("takes CF's names of one calendar as the same calendar", () => {
    expect(sameCalendar("gregorian", "standard")).toBe(true);
    expect(sameCalendar("365_day", "noleap")).toBe(true);
    expect(sameCalendar("366_day", "all_leap")).toBe(true);
    expect(sameCalendar("NoLeap", "noleap")).toBe(true);
    expect(sameCalendar(undefined, "standard")).toBe(true);
    expect(sameCalendar(undefined, "Gregorian")).toBe(true);
  });

  it("tells different calendars apart", () => {
    expect(sameCalendar("standard", "proleptic_gregorian")).toBe(false);
    expect(sameCalendar("noleap", "standard")).toBe(false);
    expect(sameCalendar("360_day", "365_day")).toBe(false);
    expect(sameCalendar(undefined, "julian")).toBe(false);
  });
});

// UDUNITS: an origin with a time-zone offset is local time; "+06:00" is six hours ahead of UTC, so
// its midnight is 18:00 UTC of the day before (xarray/cftime decode it the same way).
describe("time units with a time-zone offset", () => {
  it("places the origin at local time, in each spelling of the offset", () => {
    const days = (from: string) => reencoder(from, "days since 2000-01-01", "standard");
    expect(days("days since 2000-01-01 00:00:00 +06:00")(1)).toBeCloseTo(0.75, 12);
    expect(days("days since 2000-01-01 00:00:00 +0600")(1)).toBeCloseTo(0.75, 12);
    expect(days("days since 2000-01-01 00:00 -6")(1)).toBeCloseTo(1.25, 12);
    expect(days("hours since 2000-01-01T00:00:00 +05:30")(12)).toBeCloseTo(0.5 - 5.5 / 24, 12);
    expect(days("days since 2000-01-01 00:00:00 UTC")(1)).toBe(1);
    expect(days("days since 2000-01-01 00:00:00Z")(1)).toBe(1);
  });
});
