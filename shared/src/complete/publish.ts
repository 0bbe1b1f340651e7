import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DroverError } from "../errors.js";
import { copyAtomic, writeFileAtomic, writeJsonAtomic } from "../fsutil.js";
import type { KerchunkV1 } from "../refs/types.js";
import { kerchunkJson } from "../refs/serialise.js";
import { rewriteUrls } from "../refs/write-refs.js";
import type { Body } from "../messages.js";

// complete: publish each validated product and its report into the complete directory, each
// copied under a temporary name and renamed into place, then the group's summary.

export interface PublishedItem {
  code: string;
  product: string;
  report: string;
  /** The remote copy of references, with source paths rewritten into URLs. */
  remote?: string;
}

function readJson(path: string, what: string, code: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DroverError("CompletionError", `project ${code}: cannot read its ${what} ${path}: ${(e as Error).message}`, { file: path });
  }
}

export function publishGroup(
  group: string,
  request: Body<"group.complete.request">,
  now = new Date(),
  remote?: { from: string; to: string },
): { items: PublishedItem[]; summary: string } {
  const root = join(request.completeDir, group);
  try {
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
  const items: PublishedItem[] = [];
  for (const p of request.projects) {
    const ext = p.product.split(".").pop() ?? "out";
    const product = join(root, "data", `${p.code}.${p.revision}.${ext}`);
    const report = join(root, "reports", `${p.code}_${p.revision}_report.json`);
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
  }
  const summary = join(root, "summary.json");
  writeJsonAtomic(summary, { group, completedAt: now.toISOString(), projects: items });
  return { items, summary };
}
