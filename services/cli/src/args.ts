import { parseArgs } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** parseArgs with positionals allowed; a bad flag becomes a UsageError that shows the usage line. */
export function parse<T extends NonNullable<Options>>(
  argv: string[],
  options: T,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
}

export function str(values: Record<string, string | boolean | undefined>, key: string): string | undefined {
  const v = values[key];
  return typeof v === "string" ? v : undefined;
}
