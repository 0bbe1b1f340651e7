import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { tempPathFor } from "../fsutil.js";

// A group's summary.json: every project published, one per line, so that a group completed in
// batches adds a batch by streaming the earlier lines through, never holding the whole list. Read
// whole it is ordinary JSON: {"group": …, "completedAt": …, "projects": [ … ]}.

export interface PublishedItem {
  code: string;
  product: string;
  report: string;
  /** The remote copy of references, with source paths rewritten into URLs. */
  remote?: string;
}

export const SUMMARY_FILE = "summary.json";

/** The summary's first line: everything before the first project. */
function summaryHead(group: string, completedAt: string): string {
  return `{"group":${JSON.stringify(group)},"completedAt":${JSON.stringify(completedAt)},"projects":[`;
}

function isPublishedItem(v: unknown): v is PublishedItem {
  const p = v as Partial<PublishedItem> | null;
  return typeof p === "object" && p !== null && typeof p.code === "string" && typeof p.product === "string" && typeof p.report === "string";
}

/** The project a summary line holds; undefined for the head, the tail or anything else. */
function parseSummaryLine(line: string): PublishedItem | undefined {
  const text = line.endsWith(",") ? line.slice(0, -1) : line;
  if (!text.startsWith('{"code":')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isPublishedItem(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes read at a time while streaming a summary. */
const READ_BLOCK = 1 << 16;

/** The lines of a file, read a block at a time (none when the file is missing). */
function* fileLines(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return;
  }
  try {
    const buf = Buffer.alloc(READ_BLOCK);
    // A character cut by a block's end is held back until the next block completes it.
    const utf8 = new StringDecoder("utf8");
    let rest = "";
    for (let n = readSync(fd, buf, 0, READ_BLOCK, null); n > 0; n = readSync(fd, buf, 0, READ_BLOCK, null)) {
      const lines = (rest + utf8.write(buf.subarray(0, n))).split("\n");
      rest = lines.pop() ?? "";
      yield* lines;
    }
    rest += utf8.end();
    if (rest !== "") yield rest;
  } finally {
    closeSync(fd);
  }
}

/**
 * The projects an existing summary lists, streamed. A summary written before summaries were one
 * line a project (indented JSON) is read whole, once; one that is not JSON lists nothing.
 */
export function* summaryItems(path: string): Generator<PublishedItem> {
  const lines = fileLines(path);
  const first = lines.next();
  if (first.done) return;
  if (first.value.startsWith('{"group":')) {
    for (const line of lines) {
      const item = parseSummaryLine(line);
      if (item) yield item;
    }
    return;
  }
  lines.return(undefined);
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as { projects?: unknown };
    if (Array.isArray(v.projects)) yield* (v.projects as unknown[]).filter(isPublishedItem);
  } catch {
    // not JSON: nothing listed
  }
}

/** Characters gathered before each write to the temporary file. */
const WRITE_BLOCK = 1 << 16;

/**
 * Writes the summary at `path` listing the projects it listed before that are not in `items`,
 * then `items`: streamed into a temporary file, made durable, renamed into place. Memory stays
 * that of one batch however many projects the group has.
 */
export function writeSummary(path: string, group: string, completedAt: Date, items: readonly PublishedItem[]): void {
  const codes = new Set(items.map((i) => i.code));
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w");
  let open = true;
  try {
    let pending = summaryHead(group, completedAt.toISOString());
    const put = (s: string) => {
      pending += s;
      if (pending.length >= WRITE_BLOCK) {
        writeSync(fd, pending);
        pending = "";
      }
    };
    // A project a line; each line but the last ends with the comma before the next.
    let first = true;
    const add = (item: PublishedItem) => {
      put(`${first ? "" : ","}\n${JSON.stringify(item)}`);
      first = false;
    };
    for (const earlier of summaryItems(path)) if (!codes.has(earlier.code)) add(earlier);
    for (const item of items) add(item);
    put("\n]}\n");
    writeSync(fd, pending);
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
