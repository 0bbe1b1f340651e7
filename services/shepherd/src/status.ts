import { describeProgress, listGroups, type DocStore } from "@drover/shared";
import { progressFromCounts } from "@drover/shared/progress";
import type { ShepherdConfig } from "./config.js";
import { readFaults } from "./faults.js";
import { listFlock } from "./flock.js";
import { LEASE_ID } from "./lease.js";

// `drover shepherd status`: one line per group of the flock (PADOCC's status mode), then the
// group files that could not be taken in, and who holds the lease.

export async function flockStatus(store: DocStore, config: ShepherdConfig): Promise<string[]> {
  const entries = listFlock(config.flock_dir);
  const byGroup = new Map(entries.map((e) => [e.group, e]));
  const lines: string[] = [];
  const groups = (await listGroups(store)).filter((g) => g.driver === "shepherd");
  for (const g of groups) {
    const counts = await store.countStates(g.name);
    const entry = byGroup.get(g.name);
    const marks = [entry?.ignored ? "ignored (.shpignore)" : "", entry && entry.hash !== g.fileHash ? "file changed since registered" : ""].filter(Boolean);
    lines.push(`${g.name}: ${g.state}  ${describeProgress(progressFromCounts(g, counts))}${marks.length ? `  [${marks.join(", ")}]` : ""}`);
  }
  const known = new Set(groups.map((g) => g.name));
  for (const e of entries) if (!known.has(e.group)) lines.push(`${e.group}: not registered yet${e.ignored ? " (ignored: .shpignore)" : ""}  (${e.file})`);
  if (lines.length === 0) lines.push(`no groups in the flock ${config.flock_dir}: drop a group file (PADOCC's CSV) there`);
  for (const [file, f] of await readFaults(store)) lines.push(`problem since ${f.at}: ${f.message} (${file})`);
  const lease = (await store.get(LEASE_ID)) as { holder?: string; until?: string } | undefined;
  if (lease?.holder && lease.until && Date.parse(lease.until) > Date.now()) lines.push(`sweeping: ${lease.holder} (lease until ${lease.until})`);
  else lines.push("sweeping: no shepherd is running");
  return lines;
}
