import { z } from "zod";
import { phases, projectStates } from "./lifecycle.js";

// Schemas shared by messages and documents. Types are inferred from them, never written twice.

/** Group and project names: what PADOCC accepts, minus characters that break paths and keys. */
export const Name = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, "must start with a letter or digit and use only letters, digits and _ . + -")
  .refine((s) => !/^[0-9]+$/.test(s), "must not be all digits (PADOCC reads those as indices)");

export const PhaseSchema = z.enum(phases);
export const ProjectStateSchema = z.enum(projectStates);

export const AttrValue = z.union([
  z.string(),
  z.number(),
  z.bigint(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.number(), z.bigint()])),
  z.array(z.string()),
]);
export type AttrValue = z.infer<typeof AttrValue>;

export const ErrorDetailSchema = z.object({
  kind: z.string(),
  message: z.string(),
  permanent: z.boolean(),
  file: z.string().optional(),
  variable: z.string().optional(),
});

export type ErrorDetailData = z.infer<typeof ErrorDetailSchema>;

export const IssueSchema = z.object({
  severity: z.enum(["warning", "fatal"]),
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  variable: z.string().optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

export const ProductFormat = z.enum(["kerchunk", "zarr"]);
export type ProductFormat = z.infer<typeof ProductFormat>;

/** Per-project settings: from the group file and launch options; every field may be overridden. */
export const ProjectConfigSchema = z.object({
  /** Concatenation dimension; detected by the scan when absent. */
  concatDim: z.string().optional(),
  /** Dimensions whose coordinates must be identical in every file; detected when absent. */
  identicalDims: z.array(z.string()).optional(),
  /** Keep only these variables (and the coordinates they use). */
  keepVars: z.array(z.string()).optional(),
  /** Global attributes to set on the product (PADOCC's "updates"). */
  updates: z.record(z.string(), AttrValue).optional(),
  /** Global attributes to drop from the product (PADOCC's "removals"). */
  removals: z.array(z.string()).optional(),
  /** Kerchunk references (default; Zarr when references cannot express the data) or a Zarr copy. */
  format: ProductFormat.default("kerchunk"),
  /** The time and memory a phase's task may use (the shepherd raises them after a timeout). */
  budget: z
    .object({
      seconds: z.number().int().positive().optional(),
      memoryMb: z.number().int().min(64).optional(),
    })
    .strict()
    .optional(),
});
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;

/** What `drover retry --set key=value` may change in a project's config (no defaults: only what is given). */
export const ConfigOverridesSchema = ProjectConfigSchema.extend({ format: ProductFormat.optional() }).partial().strict();
export type ConfigOverrides = z.infer<typeof ConfigOverridesSchema>;

export const ScanSummarySchema = z.object({
  files: z.number().int(),
  bytes: z.number(),
  variables: z.array(z.string()),
  /** null when the project is one file with nothing to concatenate. */
  concatDim: z.string().nullable(),
  identicalDims: z.array(z.string()),
  /** Length of the concatenated dimension in the product. */
  concatLength: z.number().int(),
  chunks: z.number().int(),
  issues: z.array(IssueSchema),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const ComputeSummarySchema = z.object({
  format: ProductFormat,
  revision: z.string(),
  variables: z.number().int(),
  chunksWritten: z.number().int(),
  bytesWritten: z.number(),
  seconds: z.number(),
  /** Why the product is not in the requested format (references that cannot express the data). */
  note: z.string().optional(),
});
export type ComputeSummary = z.infer<typeof ComputeSummarySchema>;

export const ValidationSummarySchema = z.object({
  outcome: z.enum(["Success", "Warning", "Fatal"]),
  /** PADOCC-style status string, e.g. "Success", "Warn-global_history_not_equal", "Fatal-data_errors". */
  status: z.string(),
  filesCompared: z.array(z.string()),
  valuesCompared: z.number(),
  fatal: z.array(z.string()),
  warnings: z.array(z.string()),
  bypassed: z.array(z.string()),
});
export type ValidationSummary = z.infer<typeof ValidationSummarySchema>;
