import { randomUUID } from "node:crypto";
import { z } from "zod";
import { MAX_LIST, MAX_TEXT } from "./bounds.js";
import { DroverError } from "./errors.js";
import {
  ComputeSummarySchema,
  ErrorDetailSchema,
  IssueSchema,
  Name,
  PhaseSchema,
  ConfigOverridesSchema,
  ProjectConfigSchema,
  ProjectStateSchema,
  ScanSummarySchema,
  ValidationSummarySchema,
} from "./schemas.js";

// The message catalogue: every selector (routing key) drover uses and the schema of its body.
// Commands end in ".request"; events are past tense. Nothing is published or handled unparsed.

const AbsPath = z.string().startsWith("/", "must be an absolute path");
const Files = z.array(AbsPath).min(1, "a project needs at least one file");

// Texts and lists a worker reports are bounded (see bounds.ts): a sender cuts its own with a
// marker; a body over the bounds is refused here, so a forged one never reaches a document.
const Text = z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters (cut it with capText)`);
const BoundedError = ErrorDetailSchema.extend({ message: Text, file: Text.optional(), variable: Text.optional() });
const BoundedIssue = IssueSchema.extend({ code: Text, message: Text, file: Text.optional(), variable: Text.optional() });
const Issues = z.array(BoundedIssue).max(MAX_LIST, `must have at most ${MAX_LIST} entries (cut it with capList)`);
const Texts = z.array(Text).max(MAX_LIST, `must have at most ${MAX_LIST} entries (cut it with capStrings)`);
const BoundedScanSummary = ScanSummarySchema.extend({ issues: Issues });
const BoundedValidationSummary = ValidationSummarySchema.extend({ status: Text, fatal: Texts, warnings: Texts, bypassed: Texts });

const PhaseStarted = z.object({ worker: z.string() });
const PhaseProgress = z.object({
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  unit: z.string(),
  detail: z.string().optional(),
});
const PhaseFailed = z.object({
  error: BoundedError,
  issues: Issues.default([]),
  /** Reports written before the failure (validation's data report, for instance). */
  reports: z.record(z.string(), AbsPath).default({}),
});

/** The requests the state-tracker answers on request.answered, correlated by the request's id. */
export const answeredRequests = [
  "group.register.request",
  "project.accept.request",
  "project.retry.request",
  "project.faultlist.request",
  "project.unfaultlist.request",
  "project.advance.request",
  "project.reject.request",
  "project.quarantine.request",
  "project.release.request",
  "project.transfer.request",
] as const;

/** The operator's requests about one project (from the CLI, the dashboard or the shepherd). */
export const projectRequests = answeredRequests.filter((s) => s !== "group.register.request");
export type ProjectRequest = Exclude<(typeof answeredRequests)[number], "group.register.request">;

export const catalogue = {
  // launcher → state-tracker
  "group.register.request": z.object({
    groupFile: z.string(),
    /** Start the group over: its projects are registered anew and those no longer listed removed. */
    replace: z.boolean().default(false),
    /** The launch whose projects the launcher stored (documents launch:<group>:<launch>:<n>). */
    launch: z.string().min(1),
    /** How many documents hold them, and how many projects in all: checked on arrival. */
    chunks: z.number().int().min(1),
    projects: z.number().int().min(1, "a group needs at least one project"),
    /** Bring the group in line with its file: new projects join, unlisted ones retire (faultlisted), changed ones start over. */
    sync: z.boolean().default(false),
    /** Who moves its projects from phase to phase: the state-tracker by itself, or the shepherd (admission by batch limit). */
    driver: z.enum(["tracker", "shepherd"]).default("tracker"),
    /** Where completion publishes this group (default: the state-tracker's DROVER_COMPLETE_DIR). */
    completeDir: AbsPath.optional(),
    /** The group file's content hash (sha256) when registered: the shepherd re-syncs when the file changes. */
    fileHash: z.string().optional(),
    /** The validation ignore template for this group's projects (the shepherd's common_valid). */
    ignoreTemplate: AbsPath.optional(),
  }),

  // state-tracker → scanner → state-tracker
  "project.scan.request": z.object({ files: Files, config: ProjectConfigSchema, workDir: AbsPath }),
  "project.scan.started": PhaseStarted,
  "project.scan.progress": PhaseProgress,
  "project.scan.succeeded": z.object({ inventory: AbsPath, summary: BoundedScanSummary }),
  "project.scan.failed": PhaseFailed,

  // state-tracker → computer → state-tracker
  "project.compute.request": z.object({
    files: Files,
    config: ProjectConfigSchema,
    inventory: AbsPath,
    workDir: AbsPath,
  }),
  "project.compute.started": PhaseStarted,
  "project.compute.progress": PhaseProgress,
  "project.compute.succeeded": z.object({ product: AbsPath, summary: ComputeSummarySchema }),
  "project.compute.failed": PhaseFailed,

  // state-tracker → validator → state-tracker
  "project.validate.request": z.object({
    files: Files,
    config: ProjectConfigSchema,
    inventory: AbsPath,
    product: AbsPath,
    workDir: AbsPath,
    ignoreTemplate: AbsPath.optional(),
  }),
  "project.validate.started": PhaseStarted,
  "project.validate.progress": PhaseProgress,
  "project.validate.succeeded": z.object({
    dataReport: AbsPath,
    metadataReport: AbsPath,
    summary: BoundedValidationSummary,
  }),
  "project.validate.failed": PhaseFailed,

  // state-tracker → completion → state-tracker
  "group.complete.request": z.object({
    completeDir: AbsPath,
    /**
     * The group was started over (launch --replace): what it published before (products, reports,
     * summary) is moved aside under superseded/ before this batch, so that projects no longer in
     * the group are not left published. Only a completion's first batch carries it.
     */
    startOver: z.literal(true).optional(),
    projects: z
      .array(
        z.object({
          code: Name,
          product: AbsPath,
          revision: z.string(),
          dataReport: AbsPath,
          metadataReport: AbsPath,
        }),
      )
      .min(1),
  }),
  "group.complete.started": PhaseStarted,
  "group.complete.succeeded": z.object({
    completeDir: AbsPath,
    items: z.array(z.object({ code: Name, product: AbsPath, report: AbsPath, remote: AbsPath.optional() })),
  }),
  "group.complete.failed": PhaseFailed,

  // operator (drover CLI) → state-tracker
  "project.accept.request": z.object({ by: z.string(), note: Text.default(""), expect: z.array(ProjectStateSchema).optional() }),
  "project.retry.request": z.object({
    by: z.string(),
    phase: PhaseSchema.optional(),
    /** Changes to the project's config that the phase runs with (and keeps). */
    overrides: ConfigOverridesSchema.optional(),
    /** Re-queue a project still in progress when its phase started longer ago than this (a lost task). */
    lostAfterSeconds: z.number().int().positive().optional(),
    /** Only if the project is still in one of these states (the shepherd's view when it planned): else nothing changes. */
    expect: z.array(ProjectStateSchema).optional(),
  }),
  "project.faultlist.request": z.object({ by: z.string(), reason: Text.min(1, "say why") }),
  /** Leaves the faultlist: the project goes back to Registered. */
  "project.unfaultlist.request": z.object({ by: z.string() }),
  /** A resting project (Registered, Scanned, Computed) starts its next phase (the shepherd's admission). */
  "project.advance.request": z.object({
    by: z.string(),
    /** The phase's budget when the project has none of its own (the shepherd's escalation.seconds). */
    budget: z.object({ seconds: z.number().int().positive().optional(), memoryMb: z.number().int().min(64).optional() }).strict().optional(),
    expect: z.array(ProjectStateSchema).optional(),
  }),
  /** The review says no: a ValidatedWithWarnings project goes back to compute. */
  "project.reject.request": z.object({ by: z.string(), note: Text.default("") }),
  /** Set aside for a person with the reason; release sends it back to Registered (scan again). */
  "project.quarantine.request": z.object({ by: z.string(), reason: Text.min(1, "say why"), expect: z.array(ProjectStateSchema).optional() }),
  "project.release.request": z.object({ by: z.string() }),
  /** Moves a project at rest, with its history, into another existing group (PADOCC's transfer_project). */
  "project.transfer.request": z.object({ by: z.string(), to: Name }),

  // state-tracker → whoever sent a request above: its answer, correlated by the request's id.
  // Nothing durable listens: an asker that has gone away misses nothing it needs.
  "request.answered": z.object({
    request: z.enum(answeredRequests),
    /** done: the change was made; unchanged: nothing to do; refused: the change is not allowed. */
    outcome: z.enum(["done", "unchanged", "refused"]),
    message: z.string(),
    state: z.string().optional(),
  }),

  // state-tracker → anyone listening (dashboards, the demo's progress display)
  "project.state.changed": z.object({
    from: ProjectStateSchema,
    to: ProjectStateSchema,
    reason: z.string(),
    seq: z.number().int(),
  }),
  "group.state.changed": z.object({ from: z.string(), to: z.string(), reasons: z.array(z.string()) }),
} as const;

export type Selector = keyof typeof catalogue;
/** The requests the state-tracker answers on request.answered. */
export type AnsweredRequest = z.infer<(typeof catalogue)["request.answered"]>["request"];
export type Body<S extends Selector> = z.infer<(typeof catalogue)[S]>;
export type BodyInput<S extends Selector> = z.input<(typeof catalogue)[S]>;
export const selectors = Object.keys(catalogue) as Selector[];

export function isSelector(s: string): s is Selector {
  return Object.hasOwn(catalogue, s);
}

const EnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  group: Name,
  project: Name.optional(),
  phase: z.enum(["register", "scan", "compute", "validate", "complete", "operator", "state"]).optional(),
  attempt: z.number().int().min(1),
  sentAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  sender: z.string(),
  body: z.unknown(),
});

export type EnvelopeHead = Omit<z.infer<typeof EnvelopeSchema>, "body" | "type">;

export interface Message<S extends Selector = Selector> extends EnvelopeHead {
  type: S;
  body: Body<S>;
}

/** Fields a sender chooses; the rest (id, sentAt, defaults) are filled in by `createMessage`. */
export interface MessageFields {
  group: string;
  project?: string | undefined;
  attempt?: number;
  correlationId?: string;
}

export function phaseOfSelector(s: Selector): EnvelopeHead["phase"] {
  const [scope, verb] = s.split(".");
  if (s === "group.register.request") return "register";
  if (s === "request.answered") return "operator";
  if (verb === "state") return "state";
  if ((projectRequests as readonly string[]).includes(s)) return "operator";
  if (scope === "group") return "complete";
  return verb as EnvelopeHead["phase"];
}

/** Builds a message and checks it against its schema: an invalid body throws before it is sent. */
export function createMessage<S extends Selector>(
  type: S,
  fields: MessageFields,
  body: BodyInput<S>,
  sender: string,
): Message<S> {
  const id = randomUUID();
  const head: EnvelopeHead = {
    id,
    group: fields.group,
    attempt: fields.attempt ?? 1,
    sentAt: new Date().toISOString(),
    correlationId: fields.correlationId ?? id,
    sender,
  };
  if (fields.project !== undefined) head.project = fields.project;
  const phase = phaseOfSelector(type);
  if (phase !== undefined) head.phase = phase;
  return parseMessage(type, { ...head, type, body });
}

/** Validates an envelope and its body for the selector it arrived on. Throws a MessageError naming the field. */
export function parseMessage<S extends Selector>(selector: S, raw: unknown): Message<S> {
  const env = EnvelopeSchema.safeParse(raw);
  if (!env.success) {
    throw new DroverError("MessageError", `message on ${selector}: bad envelope: ${formatIssues(env.error)}`);
  }
  if (env.data.type !== selector) {
    throw new DroverError(
      "MessageError",
      `message on ${selector} says its type is ${JSON.stringify(env.data.type)}: refusing a mislabelled message`,
    );
  }
  const body = catalogue[selector].safeParse(env.data.body);
  if (!body.success) {
    throw new DroverError("MessageError", `message on ${selector}: bad body: ${formatIssues(body.error)}`);
  }
  return { ...env.data, type: selector, body: body.data } as Message<S>;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
