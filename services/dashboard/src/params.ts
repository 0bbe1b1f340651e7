import { NameSchema, PhaseSchema, ProjectStateSchema } from "@drover/shared";
import { z } from "zod";
import { artifactKinds } from "./views/project.js";

// Every input the dashboard takes from a request, as a schema: query parameters and action bodies.

const text = z.string().trim().max(200, "at most 200 characters").optional().transform((v) => (v === "" ? undefined : v));
const optionalName = z.union([z.literal("").transform(() => undefined), NameSchema]).optional();

export const OverviewParams = z.object({ group: optionalName, state: z.union([z.literal("").transform(() => undefined), ProjectStateSchema]).optional(), text }).strict();

export const BoardParams = OverviewParams.extend({
  limit: z.coerce.number().int().min(1).max(200, "at most 200 cards a column").default(20),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

export const ProjectParams = z.object({ group: NameSchema, project: NameSchema }).strict();

export const ArtifactParams = ProjectParams.extend({ kind: z.enum(artifactKinds) }).strict();

export const ChartsParams = z.object({ group: optionalName }).strict();

export const BusParams = z.object({ peek: z.coerce.number().int().min(0).max(100).default(20) }).strict();

/** Who acts: recorded in the project's history as "dashboard:<name>". */
const Operator = z
  .string()
  .trim()
  .regex(/^[\w.@+-]{1,60}$/, "letters, digits and _ . @ + - only, at most 60")
  .optional()
  .transform((v) => v || "operator");

/** One project (`project`), or every project of the group in `state` (some actions have a default state). */
const Target = { group: NameSchema, project: NameSchema.optional(), state: ProjectStateSchema.optional(), operator: Operator };

const note = z.string().max(2000).default("");
const reason = z.string().trim().min(1, "say why").max(2000);

export const ActionBody = z.discriminatedUnion("action", [
  z.object({ action: z.literal("retry"), phase: PhaseSchema.exclude(["complete"]).optional(), ...Target }).strict(),
  z.object({ action: z.literal("accept"), note, ...Target }).strict(),
  z.object({ action: z.literal("reject"), note, ...Target }).strict(),
  z.object({ action: z.literal("faultlist"), reason, ...Target }).strict(),
  z.object({ action: z.literal("unfaultlist"), ...Target }).strict(),
  z.object({ action: z.literal("quarantine"), reason, ...Target }).strict(),
  z.object({ action: z.literal("release"), ...Target }).strict(),
]);
export type ActionBody = z.infer<typeof ActionBody>;
