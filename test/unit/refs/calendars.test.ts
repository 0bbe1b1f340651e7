import { describe, expect, it } from "vitest";
import { sameCalendar } from "../../../shared/src/refs/cf-time.js";

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
