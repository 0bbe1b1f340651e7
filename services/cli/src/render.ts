import { activeState, describeProgress, groupProgress, type GroupDoc, type ProjectDoc } from "@drover/shared";

// Text views of groups and projects for the terminal: a status table and a progress display.

export interface LiveProgress {
  phase: string;
  done: number;
  total: number;
  unit: string;
}

const color = process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined;
const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);

export function stateColour(state: string): string {
  if (state === "Completed" || state === "Validated") return paint(32, state);
  if (state.endsWith("Failed") || state === "Incomplete") return paint(31, state);
  if (state === "ValidatedWithWarnings" || state === "Faultlisted" || state === "Quarantined") return paint(33, state);
  if (state.endsWith("ing") || state === "Active") return paint(36, state);
  return state;
}

function bar(done: number, total: number, width = 20): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return `[${"#".repeat(n)}${"-".repeat(width - n)}]`;
}

function pad(s: string, n: number): string {
  // ANSI colour codes take no room on screen.
  const visible = s.replace(/\u001b\[[0-9;]*m/g, "").length;
  return s + " ".repeat(Math.max(0, n - visible));
}

export function projectLine(p: ProjectDoc, live: LiveProgress | undefined, width: number): string {
  let detail = "";
  if (live && (activeState as Record<string, string>)[live.phase] === p.state) {
    detail = `${bar(live.done, live.total)} ${live.done}/${live.total} ${live.unit}`;
  } else if (p.lastError && p.state.endsWith("Failed")) {
    detail = `${p.lastError.kind}: ${p.lastError.message}`;
  } else {
    detail = p.history.at(-1)?.reason ?? "";
  }
  return `  ${pad(p.code, width)}  ${pad(stateColour(p.state), 22)}  ${detail}`;
}

export function groupView(g: GroupDoc, projects: ProjectDoc[], live: Map<string, LiveProgress>, elapsed?: number): string[] {
  const width = Math.max(8, ...projects.map((p) => p.code.length));
  const head = `group ${g.name}: ${stateColour(g.state)}  ${describeProgress(groupProgress(g, projects))}${elapsed !== undefined ? `  (${elapsed.toFixed(1)} s)` : ""}`;
  const lines = [head, ...projects.map((p) => projectLine(p, live.get(p.code), width))];
  if (g.state === "Incomplete") for (const r of g.reasons) lines.push(`  ! ${r}`);
  return lines;
}

/** Redraws a block of lines in place on a terminal; prints only changed lines otherwise. */
export function createScreen(out: NodeJS.WriteStream = process.stdout): (lines: string[]) => void {
  let previous: string[] = [];
  return (lines) => {
    if (out.isTTY) {
      if (previous.length > 0) out.write(`\u001b[${previous.length}A`);
      for (const l of lines) out.write(`\u001b[2K${l}\n`);
      previous = lines;
      return;
    }
    for (const l of lines) if (!previous.includes(l)) out.write(`${l}\n`);
    previous = lines;
  };
}
