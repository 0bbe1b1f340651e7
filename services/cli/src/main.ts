#!/usr/bin/env node
import { isDroverError } from "@drover/shared";
import { UsageError } from "./args.js";
import { launch } from "./commands/launch.js";
import { accept, faultlist, retry } from "./commands/operator.js";
import { history, status } from "./commands/status.js";
import { lifecycle, sample, selectorsTable } from "./commands/info.js";
import { refs, zarr } from "./commands/oneshot.js";
import { bench } from "./commands/bench.js";
import { createContext, type Context } from "./context.js";

const help = `drover: drive flocks of NetCDF/HDF5 datasets through scan → compute → validate → complete

commands:
  launch <group-file.csv> [--group NAME] [--concat-dim DIM] [--wait] [--timeout S]
                                 inject a group (PADOCC CSV: project_code,<glob | list.txt>)
  status [group] [--watch] [--json]
                                 groups, or one group's projects (live with --watch)
  history <group> <project>      a project's state changes, outputs and errors
  accept <group> <project> [--note TEXT]
                                 accept a ValidatedWithWarnings project
  retry <group> [project] [--phase scan|compute|validate]
                                 run a failed (or warned) project's phase again
  faultlist <group> <project> --reason TEXT
                                 leave a project out of its group's completion
  refs <files or globs…> -o out.json [--concat-dim DIM] [--identical-dims a,b] [--remote FROM=TO]
                                 Kerchunk references in one process (no bus, no database)
  zarr <files or globs…> -o out.zarr [--concat-dim DIM]
                                 a Zarr copy in one process; both exit 0 only once validated
  sample [dir]                   write the demo group (CMIP-like NetCDF4 files + demo.csv)
  bench [--rounds N]             reference generation on 200 generated files → bench/results.json
  lifecycle                      print the project state machine (Mermaid)
  selectors                      print the message catalogue
`;

const commands: Record<string, (ctx: Context, argv: string[]) => Promise<number> | number> = {
  launch,
  status,
  history,
  accept,
  retry,
  faultlist,
  sample,
  refs,
  zarr,
  bench,
  lifecycle: () => lifecycle(),
  selectors: () => selectorsTable(),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(help);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`drover: unknown command ${name}\n\n${help}`);
    return 2;
  }
  // One-shot commands need no broker or database settings to be valid.
  const ctx = createContext();
  try {
    return await command(ctx, rest);
  } finally {
    await ctx.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const kind = isDroverError(e) ? `${e.kind}: ` : e instanceof UsageError ? "" : "";
    process.stderr.write(`drover: ${kind}${(e as Error).message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
