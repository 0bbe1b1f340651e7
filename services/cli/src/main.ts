#!/usr/bin/env node
import { commandHelp, offlineContext, parseInvocation, usageLine, wantsHelp, UsageError, type Command } from "./command.js";
import { flushed, quietOnClosedPipe } from "./output.js";

// Each command's module is loaded only when that command runs (the one-shot commands must not
// pay for the broker, the database and the schemas at start-up); the top-level help loads them all.

const loaders: Record<string, () => Promise<Command>> = {
  launch: async () => (await import("./commands/launch.js")).launch,
  status: async () => (await import("./commands/status.js")).status,
  history: async () => (await import("./commands/status.js")).history,
  show: async () => (await import("./commands/show.js")).show,
  logs: async () => (await import("./commands/logs.js")).logs,
  report: async () => (await import("./commands/report.js")).report,
  summarise: async () => (await import("./commands/summarise.js")).summariseCommand,
  accept: async () => (await import("./commands/operator.js")).accept,
  reject: async () => (await import("./commands/operator.js")).reject,
  retry: async () => (await import("./commands/operator.js")).retry,
  faultlist: async () => (await import("./commands/operator.js")).faultlist,
  quarantine: async () => (await import("./commands/operator.js")).quarantine,
  release: async () => (await import("./commands/operator.js")).release,
  transfer: async () => (await import("./commands/operator.js")).transfer,
  shepherd: async () => (await import("./commands/shepherd.js")).shepherd,
  deadletters: async () => (await import("./commands/deadletters.js")).deadletters,
  refs: async () => (await import("./commands/oneshot.js")).refs,
  zarr: async () => (await import("./commands/oneshot.js")).zarr,
  sample: async () => (await import("./commands/info.js")).sample,
  bench: async () => (await import("./commands/bench.js")).bench,
  lifecycle: async () => (await import("./commands/info.js")).lifecycle,
  selectors: async () => (await import("./commands/info.js")).selectors,
};
const names = Object.keys(loaders);

async function topHelp(): Promise<string> {
  const lines = ["drover: drive flocks of NetCDF/HDF5 datasets through scan → compute → validate → complete", "", "commands:"];
  for (const name of names) {
    const c = await (loaders[name] as () => Promise<Command>)();
    lines.push(`  ${usageLine(c)}`, `      ${c.summary.split("\n")[0]}`);
  }
  lines.push("", "'drover <command> --help' shows a command's options and an example.");
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const load = name === "help" && rest[0] ? loaders[rest[0]] : undefined;
    process.stdout.write(load ? commandHelp(await load()) : await topHelp());
    return name ? 0 : 2;
  }
  const load = loaders[name];
  if (!load) {
    const { didYouMean } = await import("./suggest.js");
    process.stderr.write(`drover: unknown command ${name}${didYouMean(name, names)}\n\n${await topHelp()}`);
    return 2;
  }
  const command = await load();
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  const input = parseInvocation(command, rest);
  if (command.offline) return await command.run(offlineContext, input);
  // Broker and database open lazily: a command that only reads settings never connects.
  const ctx = (await import("./context.js")).createContext();
  try {
    return await command.run(ctx, input);
  } finally {
    await ctx.close();
  }
}

async function failed(e: unknown): Promise<number> {
  // Errors from the shared code carry a kind; loading that module only now keeps start-up light.
  const { isDroverError } = await import("@drover/shared/errors");
  const { redactSecrets } = await import("@drover/shared/redact");
  const kind = isDroverError(e) ? `${e.kind}: ` : "";
  process.stderr.write(`drover: ${kind}${redactSecrets((e as Error).message)}\n`);
  return e instanceof UsageError ? 2 : 1;
}

quietOnClosedPipe();
const code = await main(process.argv.slice(2)).catch(failed);
// Everything written reaches a pipe before the process ends (exit() would cut it at 64 KiB).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
