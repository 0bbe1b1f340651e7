import { resolve } from "node:path";
import { catalogue, consumes, count, lifecycleDiagram, writeDemoGroup } from "@drover/shared";
import type { Command } from "../command.js";

/** `drover sample [dir]`: writes the demo group's NetCDF4 files and its group file. */
export const sample: Command = {
  name: "sample",
  args: "[dir]",
  summary: "Writes the demo flock: three CMIP-like projects of NetCDF4 files and their group file (dir/demo/demo.csv).",
  options: {},
  examples: ["drover sample var/data", "drover launch var/data/demo/demo.csv --wait"],
  async run(ctx, { positionals }) {
    const dir = resolve(positionals[0] ?? ctx.config.dataRoots[0] ?? "var/data");
    const g = await writeDemoGroup(dir);
    const n = Object.values(g.projects).reduce((s, f) => s + f.length, 0);
    process.stdout.write(`wrote ${count(n, "file")} in ${count(Object.keys(g.projects).length, "project")}; group file ${g.groupFile}\n`);
    return 0;
  },
};

export const lifecycle: Command = {
  name: "lifecycle",
  args: "",
  summary: "Prints the project state machine as a Mermaid diagram.",
  options: {},
  examples: ["drover lifecycle > lifecycle.mmd"],
  run() {
    process.stdout.write(`${lifecycleDiagram()}\n`);
    return 0;
  },
};

/** The message catalogue as a Markdown table: selector, who consumes it. */
export const selectors: Command = {
  name: "selectors",
  args: "",
  summary: "Prints the message catalogue: every selector and who consumes it (Markdown).",
  options: {},
  examples: ["drover selectors"],
  run() {
    const rows = Object.keys(catalogue).map((s) => {
      const by = Object.entries(consumes)
        .filter(([, list]) => (list as readonly string[]).includes(s))
        .map(([svc]) => svc);
      const who = by.length > 0 ? by.join(", ") : s === "request.answered" ? "the asker (drover CLI), on a private queue" : "watchers (dashboard, CLI progress)";
      return `| \`${s}\` | ${who} |`;
    });
    process.stdout.write(`| selector | consumed by |\n|---|---|\n${rows.join("\n")}\n`);
    return 0;
  },
};
