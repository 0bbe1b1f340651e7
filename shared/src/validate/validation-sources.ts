import type { DescribeOptions, FileInfo } from "../h5/describe.js";
import type { H5FilePool } from "../h5/pool.js";
import type { NumericArray } from "../h5/read.js";
import type { Progress } from "../scan/scan-project.js";
import { variableSetKey } from "../scan/variable-sets.js";
import { readerPool } from "../sources.js";

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

/**
 * How much of a source to describe: in full, or briefly except the coordinates (and their
 * bounds) that another file, described in full, has (see describeSources). The other file is
 * named rather than its coordinates given, so that every file can be asked for at once: a reader
 * in another thread then describes them all without waiting for this thread's answers.
 */
export type DescribeRequest = { full: true } | { briefExceptCoordinatesOf: string };

/** Describes a source file (as much as asked) and gives a way to read its values. */
export type SourceOpener = (path: string, request: DescribeRequest) => Promise<ValidationSource>;

/** A file's coordinate variables and their bounds (or climatology): their units are compared file by file (re-encoded times). */
export function coordinatesOf(info: FileInfo): Set<string> {
  return new Set(info.variables.filter((v) => v.isCoordinate).flatMap((v) => [v.name, ...[v.attributes["bounds"], v.attributes["climatology"]].filter((b): b is string => typeof b === "string")]));
}

/** Turns requests into DescribeOptions, describing each file named by a request in full once. */
export function describeOptionsFor(describeFully: (path: string) => Promise<FileInfo>): (request: DescribeRequest) => Promise<DescribeOptions> {
  const sets = new Map<string, Promise<Set<string>>>();
  return async (request) => {
    if ("full" in request) return {};
    const of = request.briefExceptCoordinatesOf;
    let set = sets.get(of);
    if (!set) {
      set = describeFully(of).then(coordinatesOf);
      sets.set(of, set);
    }
    return { briefExcept: await set };
  };
}

/** Sources read in this thread through `pool`; their readers are reopened when needed again. */
export function openerInThread(pool: H5FilePool): SourceOpener {
  const readers = readerPool(pool);
  const optionsFor = describeOptionsFor((p) => readers.get(p).describe({}));
  return async (path, request) => {
    const options = await optionsFor(request);
    return {
      info: await readers.get(path).describe(options),
      box: (v, start, stop) => Promise.resolve(readers.get(path).box(v, start, stop)),
      text: (v, start, stop) => Promise.resolve(readers.get(path).text(v, start, stop)),
      describeFully: () => readers.get(path).describe({}),
    };
  };
}

/**
 * Every file described for validation. Variables' attributes are compared in the first file of
 * each variable set only: the other files are described briefly, and a file holding a set not
 * seen before is described in full (every set's first file is one of those; see variableSets).
 * The time coordinate's units are read from every file by name: variables of a coordinate's
 * name in the first file, and of its bounds' name, are described in full everywhere. Every file
 * is asked for at once, so an opener with several threads describes them in parallel; the
 * result does not depend on the order they finish in.
 */
export async function describeSources(files: readonly string[], open: SourceOpener, progress: Progress = () => {}): Promise<ValidationSource[]> {
  const [head] = files;
  if (head === undefined) return [];
  let done = 0;
  const sources = await Promise.all(
    files.map(async (f, i) => {
      const s = await open(f, i === 0 ? { full: true } : { briefExceptCoordinatesOf: head });
      progress(++done, files.length * 2, "files");
      return s;
    }),
  );
  const setsSeen = new Set<string>();
  const fresh = sources.flatMap((s, i) => {
    const set = variableSetKey(s.info);
    const isNew = i > 0 && !setsSeen.has(set);
    setsSeen.add(set);
    return isNew ? [i] : [];
  });
  const full = await Promise.all(fresh.map((i) => open(files[i] as string, { full: true })));
  fresh.forEach((i, k) => (sources[i] = full[k] as ValidationSource));
  return sources;
}
