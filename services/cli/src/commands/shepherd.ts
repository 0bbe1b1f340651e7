import type { Command } from "../command.js";

/** `drover shepherd run|once|status [--config FILE] [--dry-run]`: the flock's autopilot (the shepherd service). */
export const shepherd: Command = {
  name: "shepherd",
  args: "[run|once|status]",
  summary:
    "Drives a flock directory of group files (PADOCC's SHEPARD): run is the service, once one sweep (for cron), status one line per group,\n" +
    "--dry-run the task list of a sweep without changing anything.",
  options: {
    config: { type: "string", value: "FILE", help: "the shepherd's config, YAML or JSON (default $DROVER_SHEPHERD_CONFIG, else var/shepherd.yaml)" },
    "dry-run": { type: "boolean", help: "print what a sweep would do; change nothing" },
  },
  examples: ["drover shepherd run --config flock.yaml", "drover shepherd once --dry-run", "drover shepherd status"],
  offline: true,
  async run(_ctx, { values, positionals }) {
    const { main } = await import("@drover/shepherd/entry");
    const args = [...positionals, ...(typeof values["config"] === "string" ? ["--config", values["config"]] : []), ...(values["dry-run"] ? ["--dry-run"] : [])];
    return main(args);
  },
};
