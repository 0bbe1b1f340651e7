import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { DroverError, isDroverError } from "@drover/shared/errors";
import { copyAtomic, writeFileAtomic, writeJsonAtomic } from "@drover/shared/fsutil";
import { globFiles } from "@drover/shared/group/glob";
import { RefsNotExpressibleError } from "@drover/shared/refs/combine";
import { writeParquetRefs } from "@drover/shared/refs/parquet";
import { kerchunkJson, type RefsDataset } from "@drover/shared/refs/serialise";
import type { KerchunkV1 } from "@drover/shared/refs/types";
import { buildReferences, rewriteUrls } from "@drover/shared/refs/write-refs";
import { scanProject } from "@drover/shared/scan/scan-project";
import type { ProjectConfig } from "@drover/shared/schemas";
import type { ValidationSource } from "@drover/shared/validate/validation-sources";
import { str, UsageError, type Command, type Invocation, type OptionSpec } from "../command.js";
import { refusalOfOutput } from "../output-target.js";

// `drover refs …` and `drover zarr …`: the same scan, compute and validate code, in one process,
// without the bus or the database. Exit 0 only when the product is written and validated.

const common: Record<string, OptionSpec> = {
  output: { type: "string", short: "o", value: "FILE", required: true, help: "where to write the product" },
  "concat-dim": { type: "string", value: "DIM", help: "the dimension to concatenate along (default: the unlimited or the differing one)" },
  "identical-dims": { type: "string", value: "a,b", help: "dimensions whose variables must be identical in every file" },
  "keep-vars": { type: "string", value: "v1,v2", help: "keep only these variables (and their coordinates)" },
  work: { type: "string", value: "DIR", help: "keep intermediate files (and the per-file reference cache) here" },
  quiet: { type: "boolean", help: "print nothing but errors" },
  "no-validate": { type: "boolean", help: "write the product without comparing it with its sources (faster; no report, exit 0 is no proof)" },
  "allow-missing": { type: "boolean", help: "write the product even though it leaves out source variables it cannot represent (compound, opaque, szip…)" },
  "source-threads": { type: "string", value: "N", help: "threads reading the sources for validation, each with its own HDF5 library; 0 reads them in the main thread (default: 0 on 2 cores or fewer, else one a core up to 4)" },
};

function expand(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    const abs = isAbsolute(a) ? a : resolve(a);
    // A path that exists is taken as it is, even with glob characters in its name ("run[1].nc").
    const exists = existsSync(abs);
    if (!exists && /[*?[]/.test(abs)) {
      const hits = globFiles(abs);
      if (hits.length === 0) throw new DroverError("GroupFileError", `${a} matches no files`);
      files.push(...hits);
    } else {
      if (!exists) throw new DroverError("SourceNotFoundError", `${a} does not exist`, { file: abs });
      if (statSync(abs).isDirectory()) throw new UsageError(`${a} is a directory: give the files in it, e.g. '${join(a, "*.nc")}'`);
      files.push(abs);
    }
  }
  return files;
}

/** The files once each, and the ones given more than once (by two globs, or a glob and a path). */
function once(files: string[]): { files: string[]; repeated: string[] } {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const f of files) (seen.has(f) ? repeated : seen).add(f);
  return { files: [...seen], repeated: [...repeated] };
}

/**
 * A whole number given to an option, at most `max`, or a usage error naming the option and what it
 * takes. (Not a zod schema: loading zod alone added 40–80 ms to a one-shot command that otherwise
 * never needs it.)
 */
function wholeNumber(text: string | undefined, option: string, takes: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !(n <= max)) throw new UsageError(`${option} takes ${takes}: got ${JSON.stringify(text)}`);
  return n;
}

/** Threads reading the sources for validation, on machines of more than 2 cores: one a core, at most this many. */
const MAX_SOURCE_THREADS = 4;

/**
 * How many threads read the sources for validation: on 2 cores, none. Each thread loads its own
 * HDF5 library (each thread more: 30–40 MB more at the peak and 0.3–0.4 s more CPU), and this
 * thread's scan already keeps both cores busy (its garbage collector and compiler run beside it).
 * Measured on the bench series on 2 cores (2026-12-05, medians of 4–5 interleaved runs): in this
 * thread against two threads, 132 files 1.87 against 2.09 s, peak 121 against 225 MB, CPU 2.3
 * against 3.5 s; 200 files 2.60 against 2.60 s, 176 against 273 MB, CPU 3.2 against 4.4 s (a
 * second, noisier set: 2.96 against 2.76 s).
 */
function sourceThreads(asked: number | undefined, files: number): number {
  if (asked !== undefined) return Math.min(asked, files);
  const cores = availableParallelism();
  return cores <= 2 ? 0 : Math.min(MAX_SOURCE_THREADS, cores, files);
}

/** Where the validation reads its sources: `sources` undefined means in this thread, once the product is made. */
interface SourceReading {
  sources?: Promise<ValidationSource[]>;
  close(): Promise<void>;
}

/**
 * Prepares the validation's reading of the sources. With threads (each loading the HDF5 library
 * once), they start before the scan, so that the sources are described while this thread makes
 * the product.
 */
async function readSources(files: string[], threadsAsked: number | undefined): Promise<SourceReading> {
  // A one-shot process lives a few seconds: V8's optimising compiler for WebAssembly (the HDF5
  // library) costs more CPU and memory than its faster code saves in that time. V8's flags are
  // the process's: set before any thread compiles the library.
  setFlagsFromString("--liftoff-only");
  const count = sourceThreads(threadsAsked, files.length);
  if (count === 0) return { close: async () => {} };
  const [{ startSourceThreads }, { describeSources }] = await Promise.all([import("@drover/shared/validate/source-threads"), import("@drover/shared/validate/validation-sources")]);
  const threads = startSourceThreads({ threads: count });
  const sources = describeSources(files, threads.open);
  sources.catch(() => {}); // a source that cannot be read fails the scan first, or the validation that awaits this
  return { sources, close: threads.close };
}

/**
 * Keeps V8's young generation at its starting size for the rest of the process. A product is
 * made by allocating fast and keeping little, and V8 grows the young generation when it sees
 * that: on the 200-file bench series that growth was a fifth of the peak memory. Measured on the
 * bench series (2026-12-05): without validation, 200 files 153 → 118–122 MB, 132 files 91 → 78 MB,
 * time unchanged (132 files 324 ± 12 against 327 ± 15 ms); validated in this thread, 132 files
 * 170 → 121 MB and 1.98 → 1.87 s, 200 files 205–221 → 175–178 MB, time unchanged (4–5 runs each);
 * a Zarr copy of the 132 files 174 → 122 MB validated and 169 → 131 MB without, time unchanged.
 * V8 reads this flag whenever it would grow the young generation, so it applies from here on.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
}

/** Validates the product against its sources; the report goes beside the output either way. */
async function validated(project: string, files: string[], config: ProjectConfig, product: string, work: string, out: string, say: (s: string) => void, allowMissing: boolean, sources: Promise<ValidationSource[]> | undefined): Promise<boolean> {
  // The validator (zarrita) loads only when a product is validated.
  const { validateProduct } = await import("@drover/shared/validate/validate-project");
  const report = await validateProduct({ project, files, config, product, workDir: work, ...(sources ? { sources, readConcurrency: 4 } : {}) });
  const path = `${out}.report.json`;
  writeJsonAtomic(path, { data: report.data, metadata: report.metadata });
  say(`validation: ${report.summary.status} (${report.summary.valuesCompared} values from ${report.summary.filesCompared.length} files compared; report ${path})`);
  // Why nothing was written is printed even with --quiet: it is the command's only error.
  const refuse = (why: string) => process.stderr.write(`drover: nothing written to ${out}: ${why} (report ${path})\n`);
  if (report.summary.outcome === "Fatal") {
    refuse("the product differs from its sources");
    return false;
  }
  // Variables of the sources that the product does not carry (refused types, filters).
  const missing = Object.entries(report.metadata.data_vars).filter(([, e]) => e["type"] === "missing" && e["info"] === "missing from zarr").map(([name]) => name);
  if (missing.length > 0 && !allowMissing) {
    refuse(`the product leaves out ${missing.join(", ")} (see the scan's warnings); pass --allow-missing to write it anyway`);
    return false;
  }
  return true;
}

/**
 * A failure whose reports (the scan's inventory, listing every problem) lie in the temporary
 * work directory, which is removed on the way out: each report is copied beside the output
 * (`out.json.inventory.json`), and the error names the copy instead.
 */
function withReportsKept(e: unknown, work: string, out: string): unknown {
  if (!isDroverError(e)) return e;
  const inWork = Object.entries(e.reports).filter(([, path]) => path.startsWith(`${work}/`));
  if (inWork.length === 0) return e;
  let message = e.message;
  const reports = { ...e.reports };
  for (const [name, path] of inWork) {
    const kept = `${out}.${name}.json`;
    try {
      copyAtomic(path, kept);
    } catch (c) {
      // The failure itself still comes first; the report is lost with the work directory.
      message = `${message} (its ${name} report could not be kept: ${(c as Error).message})`;
      delete reports[name];
      continue;
    }
    message = message.replaceAll(path, kept);
    reports[name] = kept;
  }
  return new DroverError(e.kind, message, { permanent: e.permanent, reports, cause: e, ...(e.file === undefined ? {} : { file: e.file }), ...(e.variable === undefined ? {} : { variable: e.variable }) });
}

/** `--remote FROM=TO`, split at the first `=` (a URL may hold more), checked before any work. */
function remoteOption(arg: string | undefined, parquet: boolean): { from: string; to: string } | undefined {
  if (arg === undefined) return undefined;
  const at = arg.indexOf("=");
  const from = arg.slice(0, Math.max(0, at));
  const to = at < 0 ? "" : arg.slice(at + 1);
  if (!from || !to) throw new UsageError("--remote takes /local/prefix/=https://host/prefix/");
  if (parquet) throw new UsageError("--remote applies to JSON references; write *.json");
  return { from, to };
}

async function oneShot(kind: "refs" | "zarr", { values, positionals }: Invocation): Promise<number> {
  const output = str(values, "output");
  if (!output) throw new UsageError(`drover ${kind} needs -o FILE: where to write the product`);
  const out = resolve(output);
  const parquet = kind === "refs" && /\.(parq|parquet)$/.test(out);
  if (kind === "refs" && !out.endsWith(".json") && !parquet) throw new UsageError(`drover refs writes Kerchunk JSON (*.json) or Parquet references (*.parq): got ${output}`);
  const remote = remoteOption(str(values, "remote"), parquet);
  const threshold = wholeNumber(str(values, "inline-threshold"), "--inline-threshold", "a whole number of bytes (0 or more)");
  const threadsAsked = wholeNumber(str(values, "source-threads"), "--source-threads", "a whole number of threads from 0 (the main thread) to 64", 64);
  const { files, repeated } = once(expand(positionals));
  const refusal = refusalOfOutput(out, kind === "zarr" ? "zarr" : parquet ? "parquet" : "json", files);
  if (refusal) throw new UsageError(refusal);
  const config: ProjectConfig = { format: kind === "refs" ? "kerchunk" : "zarr" };
  const concat = str(values, "concat-dim");
  if (concat) config.concatDim = concat;
  const ident = str(values, "identical-dims");
  if (ident) config.identicalDims = ident.split(",").filter(Boolean);
  const keep = str(values, "keep-vars");
  if (keep) config.keepVars = keep.split(",").filter(Boolean);
  const quiet = values["quiet"] === true;
  const say = (s: string) => {
    if (!quiet) process.stderr.write(`${s}\n`);
  };
  const validate = values["no-validate"] !== true;
  const workArg = str(values, "work");
  const work = workArg ? resolve(workArg) : mkdtempSync(resolve(tmpdir(), "drover-oneshot-"));
  for (const f of repeated) say(`warning: ${f} is given more than once; it is taken once`);
  const t0 = performance.now();
  keepYoungGenerationSmall();
  const readers = validate ? await readSources(files, threadsAsked) : undefined;
  try {
    const scan = await scanProject(basename(out), files, config, work).catch((e: unknown) => {
      throw workArg ? e : withReportsKept(e, work, out);
    });
    for (const i of scan.summary.issues) say(`${i.severity}: ${i.message}`);
    say(`scanned ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${scan.summary.variables.length} variables along ${scan.summary.concatDim ?? "no dimension"}`);
    let product: string;
    if (kind === "refs") {
      const t1 = performance.now();
      let doc: KerchunkV1;
      let dataset: RefsDataset;
      try {
        ({ doc, dataset } = buildReferences(scan.inventory, workArg ? resolve(work, "cache") : undefined, threshold === undefined ? {} : { inlineThreshold: threshold }, () => {}, scan.layouts));
      } catch (e) {
        if (e instanceof RefsNotExpressibleError) throw new DroverError("UnsupportedFeatureError", `${e.message}; write a Zarr copy instead: drover zarr … -o out.zarr`);
        throw e;
      }
      const keys = Object.keys(doc.refs).length;
      const final = remote ? rewriteUrls(doc, remote.from, remote.to) : doc;
      if (!validate) {
        // Written straight into place (temporary name, then rename), without a report.
        if (parquet) await writeParquetRefs(dataset, out);
        else writeFileAtomic(out, kerchunkJson(final));
        say(`references: ${keys} keys in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
        say(`wrote ${out} in ${((performance.now() - t0) / 1000).toFixed(2)} s, NOT validated (--no-validate)`);
        return 0;
      }
      product = resolve(work, parquet ? "k1.0a.parq" : "k1.0a.json");
      const text = parquet ? undefined : kerchunkJson(doc);
      if (text === undefined) await writeParquetRefs(dataset, product);
      else writeFileAtomic(product, text);
      say(`references: ${keys} keys in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
      if (!(await validated(basename(out), files, config, product, work, out, say, values["allow-missing"] === true, readers?.sources))) return 1;
      if (parquet || !remote) copyAtomic(product, out);
      else writeFileAtomic(out, kerchunkJson(final));
    } else {
      const { writeZarrProduct } = await import("@drover/shared/compute/write-zarr");
      const r = await writeZarrProduct(scan.inventory, work, (done, total) => {
        if (!quiet && process.stderr.isTTY) process.stderr.write(`\rcompute: ${done}/${total} chunks`);
      });
      if (!quiet && process.stderr.isTTY) process.stderr.write("\n");
      product = r.product;
      if (readers && !(await validated(basename(out), files, config, product, work, out, say, values["allow-missing"] === true, readers.sources))) return 1;
      copyAtomic(product, out);
    }
    say(`wrote ${out} in ${((performance.now() - t0) / 1000).toFixed(2)} s${validate ? "" : ", NOT validated (--no-validate)"}`);
    return 0;
  } finally {
    await readers?.close();
    if (!workArg) rmSync(work, { recursive: true, force: true });
  }
}

export const refs: Command = {
  name: "refs",
  args: "<files or globs…>",
  minArgs: 1,
  summary: "Kerchunk references for a series of files, in one process (no bus, no database): scan, compute and validate.\nExits 0 only once the product is validated (unless --no-validate); the report goes beside it (out.json.report.json). *.parq writes Parquet references.",
  options: {
    ...common,
    "inline-threshold": { type: "string", value: "BYTES", help: "chunks smaller than this are inlined (default 500)" },
    remote: { type: "string", value: "FROM=TO", help: "rewrite paths starting FROM into URLs starting TO (PADOCC's remote copy)" },
  },
  examples: ["drover refs 'var/data/demo/tas/*.nc' -o tas.json", "drover refs 'archive/pr_*.nc' -o pr.parq --concat-dim time"],
  offline: true,
  run: (_ctx, input) => oneShot("refs", input),
};

export const zarr: Command = {
  name: "zarr",
  args: "<files or globs…>",
  minArgs: 1,
  summary: "A Zarr v2 copy of a series of files, in one process (no bus, no database). Exits 0 only once the copy is validated (unless --no-validate).",
  options: common,
  examples: ["drover zarr 'var/data/demo/pr/*.nc' -o pr.zarr"],
  offline: true,
  run: (_ctx, input) => oneShot("zarr", input),
};
