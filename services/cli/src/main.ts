#!/usr/bin/env node
import { isDroverError } from "@drover/shared";
import { commandHelp, parseInvocation, usageLine, wantsHelp, UsageError, type Command } from "./command.js";
import { bench } from "./commands/bench.js";
import { lifecycle, sample, selectors } from "./commands/info.js";
import { launch } from "./commands/launch.js";
import { refs, zarr } from "./commands/oneshot.js";
import { accept, faultlist, retry } from "./commands/operator.js";
import { history, status } from "./commands/status.js";
import { createContext } from "./context.js";
import { flushed, quietOnClosedPipe } from "./output.js";

const all: Command[] = [launch, status, history, accept, retry, faultlist, refs, zarr, sample, bench, lifecycle, selectors];
const byName = new Map(all.map((c) => [c.name, c]));

function topHelp(): string {
  const lines = ["drover: drive flocks of NetCDF/HDF5 datasets through scan → compute → validate → complete", "", "commands:"];
  for (const c of all) lines.push(`  ${usageLine(c)}`, `      ${c.summary.split("\n")[0]}`);
  lines.push("", "'drover <command> --help' shows a command's options and an example.");
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const c = name === "help" && rest[0] ? byName.get(rest[0]) : undefined;
    process.stdout.write(c ? commandHelp(c) : topHelp());
    return name ? 0 : 2;
  }
  const command = byName.get(name);
  if (!command) {
    const close = all.map((c) => c.name).filter((n) => n.startsWith(name.slice(0, 2)));
    process.stderr.write(`drover: unknown command ${name}${close.length ? ` (did you mean ${close.join(" or ")}?)` : ""}\n\n${topHelp()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  const input = parseInvocation(command, rest);
  // One-shot commands need no broker or database settings to be valid: those open lazily.
  const ctx = createContext();
  try {
    return await command.run(ctx, input);
  } finally {
    await ctx.close();
  }
}

function failed(e: unknown): number {
  const kind = isDroverError(e) ? `${e.kind}: ` : "";
  process.stderr.write(`drover: ${kind}${(e as Error).message}\n`);
  return e instanceof UsageError ? 2 : 1;
}

quietOnClosedPipe();
const code = await main(process.argv.slice(2)).catch(failed);
// Everything written reaches a pipe before the process ends (exit() would cut it at 64 KiB).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
