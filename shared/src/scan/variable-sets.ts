// One variable per file (CMIP's layout: uas_…_1982.nc, vas_…_1982.nc, uas_…_1983.nc, …): files
// that hold different variables for the same steps are a merge of concatenations, as xarray's
// open_mfdataset and kerchunk's MultiZarrToZarr combine them. Files are grouped by the set of
// variables they hold; each group is concatenated along the concatenation dimension and the
// groups are merged.

/** What grouping needs to know of a file: the paths of its variables. */
export interface VariablesOf {
  variables: ReadonlyArray<{ path: string }>;
}

/**
 * Indexes of the files, grouped by the set of variables they hold, groups in order of first
 * appearance. A single group when every file holds the same variables — or when the groups
 * differ only by variables some files lack or add (a file missing a variable is not another
 * variable set: the concatenation reports it). Files form a merge only when every group holds
 * a variable no other group holds.
 */
/** The set of variables a file holds, as one key (files with the same key hold the same variables). */
export function variableSetKey(f: VariablesOf): string {
  return f.variables.map((v) => v.path).sort().join("\u0000");
}

export function variableSets(files: ReadonlyArray<VariablesOf>): number[][] {
  const groups = new Map<string, number[]>();
  files.forEach((f, i) => {
    const k = variableSetKey(f);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const sets = [...groups.values()];
  if (sets.length < 2) return [files.map((_, i) => i)];
  const holders = new Map<string, number>();
  for (const set of sets) for (const v of (files[set[0] as number] as VariablesOf).variables) holders.set(v.path, (holders.get(v.path) ?? 0) + 1);
  const ownVariable = (set: number[]) => (files[set[0] as number] as VariablesOf).variables.some((v) => holders.get(v.path) === 1);
  return sets.every(ownVariable) ? sets : [files.map((_, i) => i)];
}

/** The variables only one set holds, by set (to name each set: "uas", "vas"). */
export function ownVariables(files: ReadonlyArray<VariablesOf>, sets: number[][]): string[][] {
  const holders = new Map<string, number>();
  for (const set of sets) for (const v of (files[set[0] as number] as VariablesOf).variables) holders.set(v.path, (holders.get(v.path) ?? 0) + 1);
  return sets.map((set) => (files[set[0] as number] as VariablesOf).variables.filter((v) => holders.get(v.path) === 1).map((v) => v.path.slice(1)));
}
