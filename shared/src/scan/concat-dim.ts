import type { FileInfo, VariableInfo } from "../h5/describe.js";
import type { Issue, ProjectConfig } from "../schemas.js";

/**
 * The dimension the files are concatenated along: the configured one; else the one unlimited
 * dimension the files share; else the one coordinate whose values differ between the first and
 * last file. null for a single file without an unlimited dimension. Ambiguity is a fatal issue.
 */
export function chooseConcatDim(
  files: FileInfo[],
  vars: VariableInfo[],
  config: ProjectConfig,
  values: (fileIndex: number, variable: VariableInfo) => Float64Array,
  issues: Issue[],
): string | null {
  const first = files[0] as FileInfo;
  if (config.concatDim !== undefined) {
    if (files.every((f) => f.dimensions.some((d) => d.name === config.concatDim))) return config.concatDim;
    const lacking = files.find((f) => !f.dimensions.some((d) => d.name === config.concatDim)) as FileInfo;
    issues.push({
      severity: "fatal",
      code: "no_concat_dim",
      message: `the configured concatenation dimension ${config.concatDim} is not a dimension of ${lacking.path}`,
      file: lacking.path,
    });
    return config.concatDim;
  }
  const unlimited = first.dimensions
    .filter((d) => d.unlimited)
    .map((d) => d.name)
    .filter((name) => files.every((f) => f.dimensions.some((d) => d.name === name && d.unlimited)));
  if (unlimited.length === 1) return unlimited[0] as string;
  if (files.length === 1) return unlimited[0] ?? null;

  const last = files[files.length - 1] as FileInfo;
  const differing = vars
    .filter((v) => v.isCoordinate)
    .filter((v) => {
      const o = last.variables.find((x) => x.path === v.path);
      if (!o) return false;
      const a = values(0, v);
      const b = values(files.length - 1, o);
      return a.length !== b.length || a.some((x, i) => x !== b[i]);
    })
    .map((v) => v.name);
  if (differing.length === 1) return differing[0] as string;
  issues.push({
    severity: "fatal",
    code: "no_concat_dim",
    message:
      differing.length === 0
        ? `cannot tell which dimension to concatenate along: no unlimited dimension and no coordinate differs between ${first.path} and ${last.path}; set concat_dim`
        : `cannot tell which dimension to concatenate along: ${differing.join(", ")} all differ between the first and last file; set concat_dim`,
  });
  return unlimited[0] ?? differing[0] ?? null;
}
