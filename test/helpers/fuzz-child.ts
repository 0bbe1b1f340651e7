// The child process of the reader fuzz test (test/faults/fuzz-readers.test.ts), bundled with
// esbuild from the TypeScript sources at the start of the test. It receives the corpus once,
// then one mutant number at a time: builds the mutant (test/helpers/fuzz.ts), writes it to a
// file, reads its layout the way the scan does (openChecked + readLayoutFrom) and answers with
// the outcome and the memory the read left behind. A hang or a crash is seen by the parent
// (no answer within the watchdog, or the process gone), which then starts a fresh child.

import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DroverError } from "../../shared/src/errors.js";
import { openChecked, readLayoutFrom } from "../../shared/src/formats/read-layout.js";
import { anatomy, mutantOf, corpusIndex, type Anatomy, type FuzzFormat } from "./fuzz.js";

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export type ToChild =
  | { type: "init"; dir: string; seed: number; corpus: Record<FuzzFormat, CorpusFile[]> }
  | { type: "run"; format: FuzzFormat; index: number };

export type Outcome = "result" | "named" | "failure";

export type FromChild =
  | { type: "ready" }
  | {
      type: "done";
      format: FuzzFormat;
      index: number;
      outcome: Outcome;
      /** DroverError kind for "named", the error's name for "failure". */
      kind: string;
      message: string;
      /** Growth of rss / array buffers over the read, in bytes. */
      rssGrowth: number;
      bufferGrowth: number;
      size: number;
    };

let dir = "";
let seed = 0;
let corpus: Record<FuzzFormat, CorpusFile[]> = { hdf5: [], netcdf3: [] };
const anatomies = new Map<string, Anatomy>();

function send(m: FromChild): void {
  process.send?.(m);
}

function run(format: FuzzFormat, index: number): FromChild {
  const files = corpus[format];
  const base = files[corpusIndex(index, files.length)] as CorpusFile;
  const key = `${format}:${base.name}`;
  let a = anatomies.get(key);
  if (!a) {
    a = anatomy(base.bytes, format);
    anatomies.set(key, a);
  }
  const mutant = mutantOf(base.bytes, a, seed, format, index);
  const path = join(dir, `${format}-${index}-${base.name}`);
  writeFileSync(path, mutant.bytes);
  const before = process.memoryUsage();
  let outcome: Outcome;
  let kind = "";
  let message = "";
  try {
    const src = openChecked(path);
    try {
      readLayoutFrom(src);
    } finally {
      src.close();
    }
    outcome = "result";
  } catch (e) {
    if (e instanceof DroverError) {
      kind = e.kind;
      message = e.message;
      const names = e.file === path && e.message.includes(path);
      outcome = names ? "named" : "failure";
      if (!names) message = `a ${e.kind} that does not name the file: ${e.message}`;
    } else {
      outcome = "failure";
      kind = e instanceof Error ? e.name : typeof e;
      message = e instanceof Error ? `${e.message}\n${(e.stack ?? "").split("\n").slice(1, 6).join("\n")}` : String(e);
    }
  }
  const after = process.memoryUsage();
  try {
    unlinkSync(path);
  } catch {
    // The parent removes the whole directory at the end.
  }
  return {
    type: "done",
    format,
    index,
    outcome,
    kind,
    message,
    rssGrowth: after.rss - before.rss,
    bufferGrowth: after.arrayBuffers - before.arrayBuffers,
    size: mutant.bytes.length,
  };
}

process.on("message", (m: ToChild) => {
  if (m.type === "init") {
    dir = m.dir;
    seed = m.seed;
    corpus = m.corpus;
    send({ type: "ready" });
  } else send(run(m.format, m.index));
});
process.on("disconnect", () => process.exit(0));
