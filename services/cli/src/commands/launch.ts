import { readGroupFile, type ProjectConfig } from "@drover/shared";
import { parse, str, UsageError } from "../args.js";
import type { Context } from "../context.js";
import { watchGroup } from "./watch.js";

const usage = "drover launch <group-file.csv> [--group NAME] [--concat-dim DIM] [--format kerchunk|zarr] [--wait] [--timeout SECONDS]";

/** Checks a group file at the door and injects the group: one group.register.request. */
export async function launch(ctx: Context, argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      group: { type: "string" },
      "concat-dim": { type: "string" },
      format: { type: "string" },
      wait: { type: "boolean", default: false },
      timeout: { type: "string" },
    },
    usage,
  );
  const file = positionals[0];
  if (!file) {
    process.stderr.write(`usage: ${usage}\n`);
    return 2;
  }
  const config: Partial<ProjectConfig> = {};
  const concat = str(values, "concat-dim");
  const group = str(values, "group");
  if (concat) config.concatDim = concat;
  const format = str(values, "format");
  if (format !== undefined) {
    if (format !== "kerchunk" && format !== "zarr") throw new UsageError(`--format must be kerchunk or zarr, not ${format}\nusage: ${usage}`);
    config.format = format;
  }
  const spec = readGroupFile(file, ctx.config.dataRoots, { ...(group ? { name: group } : {}), config });
  const bus = await ctx.bus();
  await bus.send("group.register.request", { group: spec.name }, {
    groupFile: spec.groupFile,
    projects: spec.projects.map((p) => ({ code: p.code, files: p.files, config: p.config })),
  });
  const files = spec.projects.reduce((n, p) => n + p.files.length, 0);
  process.stdout.write(`launched group ${spec.name}: ${spec.projects.length} projects, ${files} files (from ${spec.groupFile})\n`);
  if (!values.wait) {
    process.stdout.write(`follow it with: npm run drover -- status ${spec.name} --watch\n`);
    return 0;
  }
  const t = str(values, "timeout");
  const timeout = t === undefined ? undefined : Number(t);
  const r = await watchGroup(ctx, spec.name, timeout === undefined ? {} : { timeoutSeconds: timeout });
  return r.group.state === "Completed" ? 0 : 1;
}
