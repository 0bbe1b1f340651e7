import { readFileSync } from "node:fs";
import { publishGroup } from "../complete/publish.js";
import { writeZarrProduct } from "../compute/write-zarr.js";
import { DroverError, isDroverError } from "../errors.js";
import { untagNumbers } from "../json/tagged-numbers.js";
import { RefsNotExpressibleError } from "../refs/combine.js";
import { writeRefsProduct, type RefsOptions } from "../refs/write-refs.js";
import type { ProjectConfig } from "../schemas.js";
import type { Body } from "../messages.js";
import { assertAllowed } from "../paths.js";
import { checkInventoryVersion, type Inventory } from "../scan/inventory.js";
import { scanProject, type Progress } from "../scan/scan-project.js";
import { validateProduct } from "../validate/validate-project.js";
import type { IgnoreTemplate } from "../validate/report.js";

// The heavy work of each phase, as functions of plain data: services run them in a worker
// thread (runTask), tests and one-shot commands call them directly.

export interface TaskInputs {
  scan: { project: string; roots: string[]; request: Body<"project.scan.request"> };
  compute: { project: string; roots: string[]; request: Body<"project.compute.request">; refs?: RefsOptions | undefined };
  validate: { project: string; roots: string[]; request: Body<"project.validate.request"> };
  complete: { group: string; request: Body<"group.complete.request">; remote?: { from: string; to: string } | undefined; workDir?: string | undefined };
}

export interface TaskOutputs {
  scan: Body<"project.scan.succeeded">;
  compute: Body<"project.compute.succeeded">;
  validate: Body<"project.validate.succeeded">;
  complete: Body<"group.complete.succeeded">;
}

export type TaskName = keyof TaskInputs;

function checkFiles(files: string[], roots: string[]): void {
  for (const f of files) assertAllowed(f, roots);
}

function readInventory(path: string): Inventory {
  try {
    return JSON.parse(readFileSync(path, "utf8"), untagNumbers) as Inventory;
  } catch (e) {
    throw new DroverError("ComputeError", `cannot read the scan's inventory ${path}: ${(e as Error).message}; scan the project again`, { file: path });
  }
}

function readIgnore(path: string | undefined): IgnoreTemplate {
  if (path === undefined) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as IgnoreTemplate;
  } catch (e) {
    throw new DroverError("ValidationError", `cannot read the validation ignore template ${path}: ${(e as Error).message}; fix DROVER_VALIDATION_IGNORE`, { file: path });
  }
}

export const tasks: { [K in TaskName]: (input: TaskInputs[K], progress: Progress) => Promise<TaskOutputs[K]> } = {
  async scan({ project, roots, request }, progress) {
    checkFiles(request.files, roots);
    const r = await scanProject(project, request.files, request.config, request.workDir, progress);
    return { inventory: r.inventoryPath, summary: r.summary };
  },
  async compute({ roots, request, refs }, progress) {
    const inv = readInventory(request.inventory);
    checkInventoryVersion(inv, request.inventory);
    checkFiles(inv.files.map((f) => f.path), roots);
    return computeProduct(inv, request.config.format, request.workDir, progress, refs ?? {});
  },
  async validate({ project, roots, request }, progress) {
    checkFiles(request.files, roots);
    const r = await validateProduct({
      project,
      files: request.files,
      config: request.config,
      product: request.product,
      workDir: request.workDir,
      ignore: readIgnore(request.ignoreTemplate),
      progress,
    });
    if (r.summary.outcome === "Fatal") {
      throw new ValidationFatal(r.summary.status, r.dataReport, r.metadataReport, r.summary.fatal);
    }
    return { dataReport: r.dataReport, metadataReport: r.metadataReport, summary: r.summary };
  },
  async complete({ group, request, remote, workDir }) {
    const { items } = publishGroup(group, request, new Date(), remote, { workDir });
    return { completeDir: request.completeDir, items };
  },
};

/**
 * The product in the configured format. References that cannot express the data exactly (a chunk
 * that straddles two files, encodings that differ between files) are never written wrong: the
 * Zarr product is written instead, and the summary says why.
 */
export async function computeProduct(inv: Inventory, format: ProjectConfig["format"], workDir: string, progress: Progress, refsOptions: RefsOptions = {}): Promise<TaskOutputs["compute"]> {
  if (format === "kerchunk") {
    try {
      const r = await writeRefsProduct(inv, workDir, refsOptions, progress);
      return { product: r.product, summary: r.summary };
    } catch (e) {
      if (!(e instanceof RefsNotExpressibleError || (isDroverError(e) && e.kind === "UnsupportedFeatureError"))) throw e;
      const r = await writeZarrProduct(inv, workDir, progress);
      return { product: r.product, summary: { ...r.summary, note: `references were not possible, so a Zarr copy was written: ${(e as Error).message}` } };
    }
  }
  const r = await writeZarrProduct(inv, workDir, progress);
  return { product: r.product, summary: r.summary };
}

/** A product that differs from its sources: fatal, with the reports that say where. */
export class ValidationFatal extends DroverError {
  constructor(status: string, dataReport: string, metadataReport: string, fatal: string[]) {
    super("ValidationError", `${status}: the product differs from its sources (${fatal.slice(0, 5).join(", ")}); see ${dataReport}`, {
      permanent: true,
      reports: { dataReport, metadataReport },
    });
  }
}
