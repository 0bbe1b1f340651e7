import { DroverError } from "../errors.js";

// CF time: "<unit> since <date>" in a calendar. Enough to re-encode one file's time values into
// another file's units (same calendar), exactly for whole-unit offsets.

const unitSeconds: Record<string, number> = {
  second: 1,
  seconds: 1,
  sec: 1,
  secs: 1,
  s: 1,
  minute: 60,
  minutes: 60,
  min: 60,
  mins: 60,
  hour: 3600,
  hours: 3600,
  hr: 3600,
  hrs: 3600,
  h: 3600,
  day: 86400,
  days: 86400,
  d: 86400,
};

export interface TimeUnits {
  unit: string;
  seconds: number;
  /** Origin as days since 0001-01-01 in the calendar, plus seconds of the day. */
  originDays: number;
  originSeconds: number;
}

const calendars = ["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day", "all_leap", "366_day", "360_day", "julian"] as const;
export type Calendar = (typeof calendars)[number];

export function normaliseCalendar(c: unknown): Calendar {
  const s = typeof c === "string" ? c.toLowerCase() : "standard";
  if ((calendars as readonly string[]).includes(s)) return s as Calendar;
  throw new DroverError("UnsupportedFeatureError", `calendar ${JSON.stringify(c)} is not one drover can re-encode`);
}

/** CF's names of one calendar: the same dates under either name. */
const ALIASES: Record<string, string> = { gregorian: "standard", "365_day": "noleap", "366_day": "all_leap" };

/**
 * Whether two calendar attributes name the same calendar in CF's terms: case aside, an absent one
 * is "standard", and "gregorian" = "standard", "365_day" = "noleap", "366_day" = "all_leap".
 */
export function sameCalendar(a: unknown, b: unknown): boolean {
  const name = (c: unknown) => {
    const s = c === undefined || c === null ? "standard" : String(c).trim().toLowerCase();
    return ALIASES[s] ?? s;
  };
  return name(a) === name(b);
}

const cumulative = (months: number[]) => months.reduce<number[]>((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], [0]);
const NOLEAP = cumulative([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
const LEAP = cumulative([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

/** Days from 0001-01-01 to y-m-d in a calendar. */
export function daysFromEpoch(y: number, m: number, d: number, calendar: Calendar): number {
  const y0 = y - 1;
  switch (calendar) {
    case "noleap":
    case "365_day":
      return y0 * 365 + (NOLEAP[m - 1] ?? 0) + d - 1;
    case "all_leap":
    case "366_day":
      return y0 * 366 + (LEAP[m - 1] ?? 0) + d - 1;
    case "360_day":
      return y0 * 360 + (m - 1) * 30 + d - 1;
    case "julian": {
      const leap = y % 4 === 0;
      return y0 * 365 + Math.floor(y0 / 4) + ((leap ? LEAP : NOLEAP)[m - 1] ?? 0) + d - 1;
    }
    default: {
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      return y0 * 365 + Math.floor(y0 / 4) - Math.floor(y0 / 100) + Math.floor(y0 / 400) + ((leap ? LEAP : NOLEAP)[m - 1] ?? 0) + d - 1;
    }
  }
}

export function parseTimeUnits(units: unknown, calendar: Calendar): TimeUnits {
  const m = typeof units === "string" ? /^\s*(\w+)\s+since\s+(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(?:Z|UTC|([+-])(\d{1,2})(?::?(\d{2}))?)?\s*$/i.exec(units) : null;
  if (!m) throw new DroverError("UnsupportedFeatureError", `time units ${JSON.stringify(units)} are not "<unit> since <yyyy-mm-dd[ hh:mm:ss][ ±hh:mm]>"`);
  const unit = (m[1] ?? "").toLowerCase();
  const seconds = unitSeconds[unit];
  if (seconds === undefined) throw new DroverError("UnsupportedFeatureError", `time unit ${unit} cannot be re-encoded (months and years have no fixed length)`);
  if ((calendar === "standard" || calendar === "gregorian") && Number(m[2]) < 1583) {
    throw new DroverError("UnsupportedFeatureError", `time origin ${m[2]}-${m[3]}-${m[4]} falls before the Gregorian reform in the ${calendar} calendar; drover does not re-encode across it`);
  }
  return {
    unit,
    seconds,
    originDays: daysFromEpoch(Number(m[2]), Number(m[3]), Number(m[4]), calendar),
    // A time-zone offset (UDUNITS: "+06:00", "-6", "+0530") says the origin is local time: UTC is that minus the offset.
    originSeconds: Number(m[5] ?? 0) * 3600 + Number(m[6] ?? 0) * 60 + Number(m[7] ?? 0) - (m[8] === "-" ? -1 : 1) * (Number(m[9] ?? 0) * 3600 + Number(m[10] ?? 0) * 60),
  };
}

/**
 * For each file of a plan: the map from its time units to the product's (the first file's), or
 * undefined when the file already uses them.
 */
export function fileReencoders(inv: {
  files: Array<{ units?: string | undefined }>;
  variables: Array<{ name: string; attributes: Record<string, unknown> }>;
  concatDim: string | null;
}): Array<((x: number) => number) | undefined> {
  const coord = inv.variables.find((v) => v.name === inv.concatDim);
  return inv.files.map((f) => (f.units !== undefined ? reencoder(f.units, String(coord?.attributes["units"]), coord?.attributes["calendar"]) : undefined));
}

/** A function mapping values in `from` units to `to` units (same calendar). */
export function reencoder(from: string, to: string, calendarAttr: unknown): (x: number) => number {
  const cal = normaliseCalendar(calendarAttr);
  const a = parseTimeUnits(from, cal);
  const b = parseTimeUnits(to, cal);
  const shift = (a.originDays - b.originDays) * 86400 + (a.originSeconds - b.originSeconds);
  if (a.seconds === b.seconds && shift % b.seconds === 0) {
    const k = shift / b.seconds;
    return (x) => x + k;
  }
  return (x) => (x * a.seconds + shift) / b.seconds;
}

type Numbers = ArrayLike<number> & { length: number };
type IntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
type FloatArray = Float32Array | Float64Array;

/**
 * Time values in one file's units re-encoded to the product's, in an array of the same type.
 * Integers must stay whole: a value that becomes fractional (hours into days) cannot be written in
 * an integer variable, and is refused by name rather than rounded.
 */
export function reencodeValues<T extends IntegerArray | FloatArray | BigInt64Array | BigUint64Array>(raw: T, map: (x: number) => number, variable: string, file: string): T {
  const refuse = (message: string) => new DroverError("UnsupportedFeatureError", message, { file, variable });
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
    throw refuse(`${file}: ${variable} holds 64-bit integer times in other units than the earliest file's; drover does not re-encode those`);
  }
  const out = (raw as IntegerArray | FloatArray).slice() as IntegerArray | FloatArray;
  const whole = !(out instanceof Float32Array || out instanceof Float64Array);
  const single = out instanceof Float32Array;
  for (let i = 0; i < out.length; i++) {
    const y = map(out[i] as number);
    if (whole && !Number.isInteger(y)) {
      throw refuse(`${file}: ${variable} is an integer variable whose value ${out[i]} becomes ${y} in the earliest file's units, not a whole number; rewrite the files with one time unit (or a floating-point time)`);
    }
    // A float32 time holds the re-encoded instant only where float32 can (beyond float64's own rounding noise).
    if (single && Math.abs(Math.fround(y) - y) > Math.abs(y) * 1e-12) {
      throw refuse(`${file}: ${variable} is a float32 variable whose value ${out[i]} becomes ${y} in the earliest file's units, which float32 cannot hold (it would store ${Math.fround(y)}); rewrite the files with one time unit or a float64 time`);
    }
    out[i] = y;
  }
  return out as T;
}

/** Time values re-encoded for comparison: every element type as float64 numbers. */
export function reencodedForComparison(raw: Numbers | BigInt64Array | BigUint64Array, map: (x: number) => number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = map(Number(raw[i]));
  return out;
}
