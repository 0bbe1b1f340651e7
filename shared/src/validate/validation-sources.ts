import type { DescribeOptions, FileInfo } from "../h5/describe.js";
import type { H5FilePool } from "../h5/pool.js";
import type { NumericArray } from "../h5/read.js";
import type { Progress } from "../scan/scan-project.js";
import { variableSetKey } from "../scan/variable-sets.js";
import { openReader } from "../sources.js";

// The sources as the validator reads them: described once, then their values on request. The
// reads may happen in this thread (a pool of h5wasm handles) or in worker threads (see
// source-threads.ts); either way a source is described by the same code, and the validator
// sees the same descriptions and values.

export interface ValidationSource {
  info: FileInfo;
  /** Values of a box [start, stop) of a variable, row-major; scalars with empty start/stop. */
  box(varPath: string, start: number[], stop: number[]): Promise<NumericArray>;
  /** Text variables: each element of the box as text, trailing NULs removed. */
  text(varPath: string, start: number[], stop: number[]): Promise<string[]>;
  /** The file described in full (its `info` may be brief: see describeSources). */
  describeFully(): Promise<FileInfo>;
}

/** Describes a source file (as much as `options` ask) and gives a way to read its values. */
export type SourceOpener = (path: string, options: DescribeOptions) => Promise<ValidationSource>;

/** Sources read in this thread through `pool`. */
export function openerInThread(pool: H5FilePool): SourceOpener {
  return async (path, options) => {
    const reader = openReader(path, pool);
    return {
      info: await reader.describe(options),
      box: (v, start, stop) => Promise.resolve(reader.box(v, start, stop)),
      text: (v, start, stop) => Promise.resolve(reader.text(v, start, stop)),
      describeFully: () => reader.describe({}),
    };
  };
}

/**
 * Every file described for validation. Variables' attributes are compared in the first file of
 * each variable set only: the other files are described briefly, and a file holding a set not
 * seen before is described in full (every set's first file is one of those; see variableSets).
 * The time coordinate's units are read from every file by name: variables of a coordinate's
 * name in the first file, and of its bounds' name, are described in full everywhere. All but the first file are asked for
 * at once, so an opener with several threads describes them in parallel; the result does not
 * depend on the order they finish in.
 */
export async function describeSources(files: readonly string[], open: SourceOpener, progress: Progress = () => {}): Promise<ValidationSource[]> {
  const [head, ...tail] = files;
  if (head === undefined) return [];
  const first = await open(head, {});
  progress(1, files.length * 2, "files");
  // Coordinates and their bounds: their units are compared file by file (re-encoded times).
  const coordinates = new Set(first.info.variables.filter((v) => v.isCoordinate).flatMap((v) => [v.name, ...[v.attributes["bounds"], v.attributes["climatology"]].filter((b): b is string => typeof b === "string")]));
  let done = 1;
  const brief = await Promise.all(
    tail.map(async (f) => {
      const s = await open(f, { briefExcept: coordinates });
      progress(++done, files.length * 2, "files");
      return s;
    }),
  );
  const sources = [first, ...brief];
  const setsSeen = new Set<string>();
  const fresh = sources.flatMap((s, i) => {
    const set = variableSetKey(s.info);
    const isNew = i > 0 && !setsSeen.has(set);
    setsSeen.add(set);
    return isNew ? [i] : [];
  });
  const full = await Promise.all(fresh.map((i) => open(files[i] as string, {})));
  fresh.forEach((i, k) => (sources[i] = full[k] as ValidationSource));
  return sources;
}
