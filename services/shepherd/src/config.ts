import { readFileSync } from "node:fs";
import { extname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DroverError } from "@drover/shared";

// The shepherd's configuration file (YAML or JSON): PADOCC SHEPARD's keys where it has them, with
// drover's additions. Every key is checked; an unknown one is named with the keys there are.

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).int(`${what} must be a whole number of seconds`).positive(`${what} must be more than 0 seconds`);

export const ShepherdConfigSchema = z
  .object({
    /** The flock directory: one group file (PADOCC's CSV) per group, or one directory per group holding it. */
    flock_dir: z.string({ error: "flock_dir is required: the directory the group files are dropped into" }).min(1),
    /** Where completed groups are published (products, reports, summary). */
    complete_dir: z.string({ error: "complete_dir is required: where completed groups are published" }).min(1),
    /** Projects in flight (scanning, computing, validating) at once, across every group. PADOCC: 100. */
    batch_limit: z.number().int("batch_limit must be a whole number").min(1, "batch_limit must be at least 1").default(100),
    /** Seconds between full sweeps; file changes and state changes also wake the shepherd. PADOCC suggests hourly. */
    sweep_interval: z.number({ error: "sweep_interval must be a number of seconds" }).positive("sweep_interval must be more than 0 seconds").default(3600),
    /** A group file must read the same (size and hash) this many seconds apart before it is registered. */
    settle_seconds: z.number().min(0, "settle_seconds must not be negative").default(2),
    /** The validation ignore template (PADOCC's common_valid): a JSON file of the errors validation may bypass. */
    common_valid: z.string().optional(),
    /** Accept validation warnings without a person (otherwise they wait for 'drover accept' or 'drover reject'). */
    accept_warnings: z.boolean().default(false),
    /** How transient failures and timeouts are retried: each retry waits longer and gets a larger budget. */
    retry: z
      .object({
        /** Retries of one phase after the state-tracker's own attempts; then the project is quarantined. */
        max_retries: z.number().int().min(0).default(3),
        /** Wait before the first retry, in seconds; multiplied by `factor` for each further one. */
        backoff_seconds: z.number().min(0).default(60),
        factor: z.number().min(1).default(2),
      })
      .strict()
      .default({ max_retries: 3, backoff_seconds: 60, factor: 2 }),
    /** The time and memory budget of a phase's task, raised on each retry up to a cap (PADOCC: 12 h, 16 GB). */
    escalation: z
      .object({
        seconds: seconds("escalation.seconds").default(3600),
        max_seconds: seconds("escalation.max_seconds").default(43200),
        memory_mb: z.number().int().min(64).optional(),
        max_memory_mb: z.number().int().min(64).default(16384),
        factor: z.number().min(1).default(2),
      })
      .strict()
      .default({ seconds: 3600, max_seconds: 43200, max_memory_mb: 16384, factor: 2 }),
    /** Seconds a lease on the flock lasts (several shepherds: one sweeps, the others stand by). */
    lease_seconds: z.number({ error: "lease_seconds must be a number of seconds" }).min(1, "lease_seconds must be at least 1 second").default(60),
  })
  .strict();

export type ShepherdConfig = z.infer<typeof ShepherdConfigSchema>;

/** Reads and checks a config file; every problem names the file, the key and the fix. */
export function loadShepherdConfig(file: string, cwd = process.cwd()): ShepherdConfig {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DroverError("ConfigError", `cannot read the shepherd's config ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new DroverError("ConfigError", `the shepherd's config ${path} is not valid ${extname(path) === ".json" ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
  return parseShepherdConfig(raw, path);
}

/** The keys of each level, for the message about an unknown one. */
const keysAt: Record<string, string[]> = {
  "": Object.keys(ShepherdConfigSchema.shape),
  retry: ["max_retries", "backoff_seconds", "factor"],
  escalation: ["seconds", "max_seconds", "memory_mb", "max_memory_mb", "factor"],
};

export function parseShepherdConfig(raw: unknown, path: string): ShepherdConfig {
  const parsed = ShepherdConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const where = i.path.join(".");
      if (i.code === "unrecognized_keys") return `${where ? `${where}: ` : ""}unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")} (the keys are: ${(keysAt[where] ?? []).join(", ")})`;
      return `${where || "(top level)"}: ${i.message}`;
    });
    throw new DroverError("ConfigError", `bad shepherd config ${path}:\n  ${lines.join("\n  ")}`);
  }
  const dir = resolve(path, "..");
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const c = parsed.data;
  const config = { ...c, flock_dir: abs(c.flock_dir), complete_dir: abs(c.complete_dir), ...(c.common_valid ? { common_valid: abs(c.common_valid) } : {}) };
  if (config.common_valid) checkTemplate(config.common_valid, path);
  return config;
}

/** A validation template that cannot be read would fail (and quarantine) every project of the flock: refuse it at start. */
function checkTemplate(file: string, configPath: string): void {
  try {
    JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DroverError("ConfigError", `common_valid in ${configPath} names ${file}, which is not a readable JSON file (${(e as Error).message}); fix the path (relative paths are read from the config file's directory; the validators must see it too) or remove the key`);
  }
}
