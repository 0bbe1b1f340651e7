import { ConfigOverridesSchema, type ConfigOverrides } from "@drover/shared";
import { UsageError } from "./command.js";

// `drover retry … --set key=value`: PADOCC's per-project overrides in its own words, turned into
// a change of the project's config. Pure, so every key and its mistakes are tested here.

const keys = {
  concat_dim: "the dimension to concatenate along (time)",
  identical_dims: "dimensions whose coordinates must be identical in every file (lat,lon)",
  keep_vars: "keep only these variables (tas,pr)",
  format: "kerchunk or zarr",
  time: "the phase's time budget: seconds, or with a unit (90m, 2h)",
  memory: "the phase's memory budget: MB, or with a unit (512M, 4G)",
} as const;
type Key = keyof typeof keys;

const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);

function amount(v: string, units: Record<string, number>, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]?)$/.exec(v.trim());
  const unit = m?.[2]?.toLowerCase() ?? "";
  const factor = units[unit];
  if (!m || factor === undefined) throw new UsageError(`--set ${what}=${v}: give a number${Object.keys(units).filter(Boolean).length ? ` with an optional unit (${Object.keys(units).filter(Boolean).join(", ")})` : ""}`);
  return Math.round(Number(m[1]) * factor);
}

/** Parses `key=value` pairs into config overrides; an unknown key lists the keys there are. */
export function parseOverrides(pairs: string[]): ConfigOverrides | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  const budget: { seconds?: number; memoryMb?: number } = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = (eq > 0 ? pair.slice(0, eq) : pair).trim().replace(/-/g, "_") as Key;
    const value = eq > 0 ? pair.slice(eq + 1).trim() : "";
    if (!(key in keys)) throw new UsageError(`--set ${pair}: unknown key; the keys are:\n${Object.entries(keys).map(([k, h]) => `  ${k}  ${h}`).join("\n")}`);
    if (value === "") throw new UsageError(`--set ${pair}: give a value, as in --set ${key}=…  (${keys[key]})`);
    if (key === "concat_dim") out["concatDim"] = value;
    else if (key === "identical_dims") out["identicalDims"] = list(value);
    else if (key === "keep_vars") out["keepVars"] = list(value);
    else if (key === "format") out["format"] = value;
    else if (key === "time") budget.seconds = amount(value, { "": 1, s: 1, m: 60, h: 3600 }, key);
    else budget.memoryMb = amount(value, { "": 1, m: 1, g: 1024 }, key);
  }
  if (budget.seconds !== undefined || budget.memoryMb !== undefined) out["budget"] = budget;
  const parsed = ConfigOverridesSchema.safeParse(out);
  if (!parsed.success) throw new UsageError(`--set: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
