import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";

// A small glob for group files: *, ?, [abc] within one path segment and ** across segments.
// Results are sorted so a project's files keep a stable order.

export function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Files (not directories) matching an absolute pattern, sorted. Hidden entries match only explicitly. */
export function globFiles(pattern: string): string[] {
  if (!isAbsolute(pattern)) throw new Error(`glob pattern must be absolute: ${pattern}`);
  const parts = pattern.split(sep).filter((p) => p !== "");
  const out = new Set<string>();
  const walk = (dir: string, i: number) => {
    if (i === parts.length) {
      if (!isDir(dir)) out.add(dir);
      return;
    }
    const part = parts[i] as string;
    if (part === "**") {
      walk(dir, i + 1);
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const e of entries) if (!e.startsWith(".") && isDir(join(dir, e))) walk(join(dir, e), i);
      return;
    }
    if (!hasMagic(part)) {
      walk(join(dir, part), i + 1);
      return;
    }
    const re = segmentRegExp(part);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith(".") && !part.startsWith(".")) continue;
      if (re.test(e)) walk(join(dir, e), i + 1);
    }
  };
  walk(sep, 0);
  return [...out].filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  }).sort();
}
