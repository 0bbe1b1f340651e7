import { parseArgs } from "node:util";
import type { Context } from "./context.js";

// What every command declares about itself: its arguments, its options with their help, and an
// example. Usage lines, `--help` and the top-level help are all made from these declarations.

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** What the value is, in the usage line: DIM, NAME, SECONDS. */
  value?: string;
  /** Shown without brackets in the usage line; the command itself checks it is there. */
  required?: boolean;
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  help: string;
}

export type Values = Record<string, string | string[] | boolean | undefined>;

export interface Invocation {
  values: Values;
  positionals: string[];
}

export interface Command {
  name: string;
  /** Positional arguments as shown in the usage line: "<group-file.csv>", "[group]". */
  args: string;
  /** How many positional arguments it needs at least. */
  minArgs?: number;
  summary: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Needs no settings, broker or database (one-shot work on files): started without a context. */
  offline?: boolean;
  run(ctx: Context, input: Invocation): Promise<number> | number;
}

/** What an offline command is given: asking it for settings is a mistake in the command. */
export const offlineContext: Context = new Proxy({} as Context, {
  get(_t, key) {
    throw new Error(`internal: an offline command asked for its context's ${String(key)}`);
  },
});

export function usageLine(c: Command): string {
  const opts = Object.entries(c.options).map(([k, o]) => {
    const flag = `--${k}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return o.required ? flag : `[${flag}]`;
  });
  return ["drover", c.name, c.args, ...opts].filter(Boolean).join(" ");
}

export function commandHelp(c: Command): string {
  const lines = [`usage: ${usageLine(c)}`, "", c.summary];
  const entries = Object.entries(c.options);
  if (entries.length > 0) {
    lines.push("", "options:");
    const flags = entries.map(([k, o]) => `${o.short ? `-${o.short}, ` : ""}--${k}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
    const width = Math.max(...flags.map((f) => f.length));
    entries.forEach(([, o], i) => lines.push(`  ${(flags[i] ?? "").padEnd(width)}  ${o.help}`));
  }
  lines.push("", c.examples.length > 1 ? "examples:" : "example:", ...c.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** True when the arguments ask for help (before any `--`). */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** Parses a command's arguments strictly; a bad or missing one is a UsageError with the usage line. */
export function parseInvocation(c: Command, argv: string[]): Invocation {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]));
  let parsed: Invocation;
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    parsed = { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usageLine(c)}\n(drover ${c.name} --help shows every option and an example)`);
  }
  if (parsed.positionals.length < (c.minArgs ?? 0)) throw new UsageError(`usage: ${usageLine(c)}\n(drover ${c.name} --help shows every option and an example)`);
  return parsed;
}

/** Every value of an option that may be given more than once. */
export function strs(values: Values, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === "string" ? v : undefined;
}

/** A whole number of seconds or more from an option, or the default. */
export function seconds(values: Values, key: string, fallback: number): number {
  const v = str(values, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${key} takes a number of seconds greater than 0, not ${JSON.stringify(v)}`);
  return n;
}
