import { count, groupId, readGroup, readGroupFile, storeLaunch, type ProjectConfig } from "@drover/shared";
import { askTracker } from "../ask.js";
import { seconds, str, UsageError, type Command } from "../command.js";
import { watchGroup } from "./watch.js";

/**
 * Checks a group file at the door and injects the group: its projects go into the database (a
 * few chunk documents), then one small group.register.request naming them, answered by the
 * state-tracker, which deletes the chunks once the group is registered.
 */
export const launch: Command = {
  name: "launch",
  args: "<group-file.csv>",
  minArgs: 1,
  summary:
    "Checks a group file (PADOCC's CSV: project_code,<glob | list.txt>[,updates.json][,removals.json][,vars…]) and injects the group.\n" +
    "An existing group is refused unless --replace starts it over; --group launches the file under another name.",
  options: {
    group: { type: "string", value: "NAME", help: "the group's name (default: the file's name without .csv)" },
    "concat-dim": { type: "string", value: "DIM", help: "the dimension to concatenate along (default: the unlimited or the differing one)" },
    format: { type: "string", value: "kerchunk|zarr", help: "the product: Kerchunk references (default) or a Zarr copy" },
    replace: { type: "boolean", help: "start an existing group over: its projects are registered anew, those no longer listed removed" },
    wait: { type: "boolean", help: "show the group's progress until it is complete or needs an operator" },
    timeout: { type: "string", value: "SECONDS", help: "how long to wait for the state-tracker's answer, and with --wait for the group (default 120, or a second per 20 projects for larger groups; and no limit)" },
  },
  examples: ["drover launch var/data/demo/demo.csv --wait", "drover launch cmip6.csv --group cmip6-retry --concat-dim time --format zarr"],
  async run(ctx, { values, positionals }) {
    const file = positionals[0] ?? "";
    const config: Partial<ProjectConfig> = {};
    const concat = str(values, "concat-dim");
    const group = str(values, "group");
    if (concat) config.concatDim = concat;
    const format = str(values, "format");
    if (format !== undefined) {
      if (format !== "kerchunk" && format !== "zarr") throw new UsageError(`--format must be kerchunk or zarr, not ${format}`);
      config.format = format;
    }
    const spec = readGroupFile(file, ctx.config.dataRoots, { ...(group ? { name: group } : {}), config });
    // Registration writes every project: pouchdb-server was measured at 40–50 documents a second,
    // so a large group gets a second per 20 projects to be answered in.
    const timeout = seconds(values, "timeout", Math.max(120, Math.ceil(spec.projects.length / 20)));
    const replace = values["replace"] === true;
    const store = await ctx.store();
    const existing = await readGroup(store, groupId(spec.name));
    if (existing && !replace) {
      process.stderr.write(
        `drover: group ${spec.name} already exists (${existing.state}, ${count(existing.projects.length, "project")}, launched ${existing.createdAt} from ${existing.groupFile}).\n` +
          `  to run it again from scratch: drover launch ${file} --replace\n` +
          `  to launch it as a new group:  drover launch ${file} --group ${spec.name}-2\n` +
          `  to see it:                    drover status ${spec.name}\n`,
      );
      return 1;
    }
    const files = spec.projects.reduce((n, p) => n + p.files.length, 0);
    const stored = await storeLaunch(store, spec.name, spec.projects.map((p) => ({ code: p.code, files: p.files, config: p.config })));
    const answer = await askTracker(ctx, "group.register.request", { group: spec.name }, { groupFile: spec.groupFile, replace, ...stored }, timeout);
    if (answer.outcome !== "done") {
      process.stderr.write(`drover: group ${spec.name} was not launched: ${answer.message}\n`);
      return 1;
    }
    process.stdout.write(`launched group ${spec.name}: ${count(spec.projects.length, "project")}, ${count(files, "file")} (from ${spec.groupFile})\n  ${answer.message}\n`);
    if (!values["wait"]) {
      process.stdout.write(`follow it with: drover status ${spec.name} --watch\n`);
      return 0;
    }
    const r = await watchGroup(ctx, spec.name, values["timeout"] === undefined ? {} : { timeoutSeconds: timeout });
    return r.group.state === "Completed" ? 0 : 1;
  },
};
