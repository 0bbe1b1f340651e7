// How a scan's messages name files: by base name, which is short and what a user recognises in
// a series, unless two files of the series share it (x/data.nc and y/data.nc), then by whole path.

/** The part of a path after its last "/". */
export const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** A namer for the files of one series: the base name where it is unique among `paths`, else the path. */
export function fileNamer(paths: readonly string[]): (path: string) => string {
  const count = new Map<string, number>();
  for (const p of new Set(paths)) count.set(baseName(p), (count.get(baseName(p)) ?? 0) + 1);
  return (path) => ((count.get(baseName(path)) ?? 0) > 1 ? path : baseName(path));
}
