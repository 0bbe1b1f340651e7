import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Issue 11: no shell is ever spawned with input from files or messages. The services and the
// shared code start processes only with an argument vector (never a command line a shell reads),
// and only the files listed here start processes at all: a new one must be looked at and added.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAY_SPAWN = new Set(["services/cli/src/commands/bench-oneshot.ts", "services/cli/src/commands/bench-pipeline.ts", "shared/src/sample/bench-series.ts"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|mts)$/.test(name) ? [p] : [];
  });
}

const roots = [join(ROOT, "shared", "src"), ...readdirSync(join(ROOT, "services")).map((s) => join(ROOT, "services", s, "src"))];
const files = roots.flatMap((r) => {
  try {
    return sources(r);
  } catch {
    return [];
  }
});

describe("no shell is spawned by drover's services", () => {
  it("finds the sources it checks", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it("starts processes only where it is expected, with an argument vector and no shell", () => {
    const problems: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f);
      const text = readFileSync(f, "utf8");
      if (!/["']node:child_process["']|["']child_process["']/.test(text)) continue;
      if (!MAY_SPAWN.has(rel)) problems.push(`${rel} imports child_process`);
      if (/\bexec(Sync)?\s*\(/.test(text.replace(/\.exec\(/g, ""))) problems.push(`${rel} calls exec (a command line for a shell)`);
      if (/shell\s*:\s*(true|["'`])/.test(text)) problems.push(`${rel} asks for a shell`);
    }
    expect(problems).toEqual([]);
  });
});
