import { resolve } from "node:path";
import { catalogue, consumes, lifecycleDiagram, writeDemoGroup } from "@drover/shared";
import type { Context } from "../context.js";

/** `drover sample [dir]`: writes the demo group's NetCDF4 files and its group file. */
export async function sample(ctx: Context, argv: string[]): Promise<number> {
  const dir = resolve(argv[0] ?? ctx.config.dataRoots[0] ?? "var/data");
  const g = await writeDemoGroup(dir);
  const n = Object.values(g.projects).reduce((s, f) => s + f.length, 0);
  process.stdout.write(`wrote ${n} files in ${Object.keys(g.projects).length} projects; group file ${g.groupFile}\n`);
  return 0;
}

export function lifecycle(): number {
  process.stdout.write(`${lifecycleDiagram()}\n`);
  return 0;
}

/** The message catalogue as a Markdown table: selector, who consumes it. */
export function selectorsTable(): number {
  const rows = Object.keys(catalogue).map((s) => {
    const by = Object.entries(consumes)
      .filter(([, list]) => (list as readonly string[]).includes(s))
      .map(([svc]) => svc);
    return `| \`${s}\` | ${by.length > 0 ? by.join(", ") : "watchers (dashboard, CLI progress)"} |`;
  });
  process.stdout.write(`| selector | consumed by |\n|---|---|\n${rows.join("\n")}\n`);
  return 0;
}
