import { parseArgs } from "node:util";
import { configPath, modes, runMode, type Mode } from "./modes.js";

// The shepherd's command line, for `npm run shepherd` and `drover shepherd …`: [run|once|status] [--config FILE] [--dry-run].
const usage = "usage: shepherd [run|once|status] [--config FILE] [--dry-run]";

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: "string" }, "dry-run": { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const mode = (positionals[0] ?? "run") as Mode;
  if (!modes.includes(mode)) {
    process.stderr.write(`shepherd: unknown mode ${mode}; the modes are ${modes.join(", ")}\n${usage}\n`);
    return 2;
  }
  return runMode(mode, { configFile: configPath(values.config), dryRun: values["dry-run"] === true });
}

