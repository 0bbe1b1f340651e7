import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DroverError } from "../errors.js";
import { copyAtomic, sweepTemporaries, writeFileAtomic, writeJsonAtomic } from "../fsutil.js";
import { assertUnder, isWithin, realPathOf } from "../paths.js";
import type { KerchunkV1 } from "../refs/types.js";
import { kerchunkJson } from "../refs/serialise.js";
import { rewriteUrls } from "../refs/write-refs.js";
import type { Body } from "../messages.js";
import { SUMMARY_FILE, writeSummary, type PublishedItem } from "./summary.js";

// complete: publish each validated product and its report into the complete directory, each
// copied under a temporary name and renamed into place, then the group's summary. A journal
// beside the summary says which items are in place: a publication cut short (a crash, a full
// disk) resumes where it stopped, copies nothing twice, and leaves no temporary copies behind.

export type { PublishedItem } from "./summary.js";

function readJson(path: string, what: string, code: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DroverError("CompletionError", `project ${code}: cannot read its ${what} ${path}: ${(e as Error).message}`, { file: path });
  }
}

/**
 * The journal of a publication in progress, in the group's complete directory: one JSON line
 * per item in place, appended once the item's files are (a line torn by a crash is ignored, and
 * its item copied again). Appended, not rewritten: rewriting the whole list after every item
 * made a group's completion quadratic in its projects.
 */
export const PUBLISH_JOURNAL = ".publishing.jsonl";

interface JournalEntry {
  code: string;
  revision: string;
  /** The source product it was copied from: a different one is copied again. */
  source: string;
  item: PublishedItem;
}

function readJournal(path: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").flatMap((line) => {
    try {
      const e = JSON.parse(line) as Partial<JournalEntry>;
      return typeof e.code === "string" && typeof e.revision === "string" && typeof e.source === "string" && typeof e.item?.product === "string" && typeof e.item.report === "string" ? [e as JournalEntry] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Refuses a completion request that would copy from anywhere but the work directory or write
 * anywhere but the group's complete directory (`..` and symbolic links resolved): a forged
 * request naming /etc/passwd, or another directory, publishes nothing.
 */
export function checkCompletionPaths(group: string, request: Body<"group.complete.request">, allowed: { workDir: string; completeDir: string }): void {
  if (realPathOf(request.completeDir) !== realPathOf(allowed.completeDir)) {
    throw new DroverError(
      "PathNotAllowedError",
      `completeDir ${request.completeDir} is not where group ${group} is published (${allowed.completeDir}): refused`,
      { file: request.completeDir },
    );
  }
  for (const p of request.projects) {
    assertUnder(p.product, allowed.workDir, `project ${p.code}: product`, "DROVER_WORK_DIR");
    assertUnder(p.dataReport, allowed.workDir, `project ${p.code}: data report`, "DROVER_WORK_DIR");
    assertUnder(p.metadataReport, allowed.workDir, `project ${p.code}: metadata report`, "DROVER_WORK_DIR");
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(p.revision) || p.revision.includes("..")) {
      throw new DroverError("PathNotAllowedError", `project ${p.code}: revision ${JSON.stringify(p.revision)} is not a revision (letters, digits and . _ + - only): refused`);
    }
  }
}

/** Where a group started over keeps what it published before: `<group>/superseded/<time>/`. */
export const SUPERSEDED_DIR = "superseded";

/**
 * A group started over (launch --replace) withdraws its earlier publication before publishing
 * anew: its products, reports and summary are moved (renamed, not copied) under
 * superseded/<time>/, so that projects no longer in the group are not left published and listed,
 * while nothing is deleted. Returns where they went (undefined: nothing was published before).
 */
export function supersedeEarlier(root: string, now: Date): string | undefined {
  const earlier = ["data", "reports", SUMMARY_FILE, PUBLISH_JOURNAL].filter((name) => existsSync(join(root, name)));
  if (earlier.length === 0) return undefined;
  const to = join(root, SUPERSEDED_DIR, now.toISOString().replace(/:/g, "-"));
  mkdirSync(to, { recursive: true });
  for (const name of earlier) renameSync(join(root, name), join(to, name));
  return to;
}

export function publishGroup(
  group: string,
  request: Body<"group.complete.request">,
  now = new Date(),
  remote?: { from: string; to: string },
  options: { workDir?: string | undefined; orphanAgeMs?: number } = {},
): { items: PublishedItem[]; summary: string; superseded?: string } {
  if (options.workDir !== undefined) checkCompletionPaths(group, request, { workDir: options.workDir, completeDir: request.completeDir });
  const root = join(request.completeDir, group);
  let superseded: string | undefined;
  try {
    if (request.startOver) superseded = supersedeEarlier(root, now);
    mkdirSync(join(root, "data"), { recursive: true });
    mkdirSync(join(root, "reports"), { recursive: true });
    accessSync(root, constants.W_OK);
  } catch (e) {
    throw new DroverError("CompletionError", `cannot write to the complete directory ${root}: ${(e as Error).message}; check DROVER_COMPLETE_DIR and its permissions`, {
      file: root,
    });
  }
  for (const p of request.projects) {
    if (!existsSync(p.product)) {
      throw new DroverError("CompletionError", `project ${p.code}: its product ${p.product} is gone; compute it again with 'drover retry ${group} ${p.code} --phase compute'`, {
        file: p.product,
      });
    }
  }
  // Copies a publication cut short left under temporary names: never counted, removed now (those
  // changed in the last minute may be another copy's, still writing: left to the next sweep).
  for (const dir of [join(root, "data"), join(root, "reports"), root]) sweepTemporaries(dir, options.orphanAgeMs ?? 60_000);
  const journalPath = join(root, PUBLISH_JOURNAL);
  const journal = new Map(readJournal(journalPath).map((e) => [e.code, e]));
  const items: PublishedItem[] = [];
  for (const p of request.projects) {
    const ext = /\.([A-Za-z0-9]+)$/.exec(p.product)?.[1] ?? "out";
    const product = join(root, "data", `${p.code}.${p.revision}.${ext}`);
    const report = join(root, "reports", `${p.code}_${p.revision}_report.json`);
    if (!isWithin(realPathOf(product), realPathOf(root))) throw new DroverError("PathNotAllowedError", `project ${p.code}: ${product} is outside ${root}: refused`, { file: product });
    const done = journal.get(p.code);
    if (done && done.revision === p.revision && done.source === p.product && existsSync(done.item.product) && existsSync(done.item.report)) {
      // In place from the publication that was cut short: not copied again.
      items.push(done.item);
      continue;
    }
    writeJsonAtomic(report, {
      project: p.code,
      revision: p.revision,
      data: readJson(p.dataReport, "data report", p.code),
      metadata: readJson(p.metadataReport, "metadata report", p.code),
    });
    copyAtomic(p.product, product);
    const item: PublishedItem = { code: p.code, product, report };
    if (remote && ext === "json") {
      // PADOCC's "remote" revision: k1.0 → kr1.0, every matching path rewritten into a URL.
      const doc = JSON.parse(readFileSync(p.product, "utf8")) as KerchunkV1;
      item.remote = join(root, "data", `${p.code}.${p.revision.replace(/^k/, "kr")}.json`);
      writeFileAtomic(item.remote, kerchunkJson(rewriteUrls(doc, remote.from, remote.to)));
    }
    items.push(item);
    appendFileSync(journalPath, `${JSON.stringify({ code: p.code, revision: p.revision, source: p.product, item } satisfies JournalEntry)}\n`);
  }
  const summary = join(root, SUMMARY_FILE);
  // Projects published before (a project retried after its group completed is published on its own) stay listed.
  writeSummary(summary, group, now, items);
  rmSync(journalPath, { force: true });
  return { items, summary, ...(superseded ? { superseded } : {}) };
}
