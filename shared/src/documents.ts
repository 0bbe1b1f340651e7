import { z } from "zod";
import { HISTORY_HIGH, HISTORY_KEEP } from "./bounds.js";
import { groupStates } from "./lifecycle.js";
import type { Message } from "./messages.js";
import {
  ComputeSummarySchema,
  ErrorDetailSchema,
  IssueSchema,
  Name,
  PhaseSchema,
  ProjectConfigSchema,
  ProjectStateSchema,
  ScanSummarySchema,
  ValidationSummarySchema,
} from "./schemas.js";

// The documents drover keeps in CouchDB: one per group, one per project. A project's history of
// state changes lives inside its document, so a change and its history entry are one atomic write;
// beyond HISTORY_HIGH entries the oldest move to `history:` documents of their own, so that a
// project retried for weeks keeps a small document (see history.ts).

export const HistoryEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  /** null on the entry that created the document. */
  from: z.string().nullable(),
  to: z.string(),
  /** What caused the change: a selector, or an operator command. */
  event: z.string(),
  reason: z.string(),
  messageId: z.string().optional(),
  attempt: z.number().int().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** A history entry's move in words: "Scanning → Scanned", or "(new) → Registered" for the first. */
export function describeMove(h: Pick<HistoryEntry, "from" | "to">): string {
  return `${h.from ?? "(new)"} → ${h.to}`;
}

/** A message kept in a document's outbox: checked against the catalogue again when published. */
export const OutboxMessage = z.custom<Message>(
  (v) => typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string" && typeof (v as { type?: unknown }).type === "string",
  "outbox entries are messages",
);

export const PhaseRecordSchema = z.object({
  status: z.enum(["queued", "running", "succeeded", "warning", "failed"]),
  attempts: z.number().int(),
  queuedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  worker: z.string().optional(),
  /** Id of the request message of the current attempt: results of older attempts are ignored. */
  requestId: z.string(),
  error: ErrorDetailSchema.optional(),
  progress: z.object({ done: z.number(), total: z.number(), unit: z.string() }).optional(),
});
export type PhaseRecord = z.infer<typeof PhaseRecordSchema>;

export const ProjectDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("project"),
  group: Name,
  code: Name,
  files: z.array(z.string()),
  config: ProjectConfigSchema,
  state: ProjectStateSchema,
  phases: z.object({
    scan: PhaseRecordSchema.optional(),
    compute: PhaseRecordSchema.optional(),
    validate: PhaseRecordSchema.optional(),
    complete: PhaseRecordSchema.optional(),
  }),
  /** Where the phases wrote: inventory, product, reports, the published copies. */
  outputs: z.object({
    workDir: z.string(),
    inventory: z.string().optional(),
    product: z.string().optional(),
    dataReport: z.string().optional(),
    metadataReport: z.string().optional(),
    completedProduct: z.string().optional(),
    completedReport: z.string().optional(),
  }),
  scan: ScanSummarySchema.optional(),
  compute: ComputeSummarySchema.optional(),
  validation: ValidationSummarySchema.optional(),
  issues: z.array(IssueSchema),
  lastError: ErrorDetailSchema.nullable(),
  acceptedBy: z.string().optional(),
  faultlistReason: z.string().optional(),
  quarantineReason: z.string().optional(),
  /** "shepherd": the project rests after each phase until the shepherd admits it to the next. */
  driver: z.enum(["tracker", "shepherd"]).optional(),
  /** The validation ignore template given at registration (else the validator's default). */
  ignoreTemplate: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(HistoryEntrySchema),
  /** Messages decided with the last change and not yet confirmed published (transactional outbox). */
  outbox: z.array(OutboxMessage).default([]),
});
export type ProjectDoc = z.infer<typeof ProjectDocSchema>;

export const GroupDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("group"),
  name: Name,
  groupFile: z.string(),
  projects: z.array(Name),
  state: z.enum(groupStates),
  /** Why the group is not complete (one line per blocking project), or what completion did. */
  reasons: z.array(z.string()),
  completeDir: z.string().optional(),
  completedAt: z.string().optional(),
  /** "shepherd": registered from a flock directory; the shepherd admits its projects phase by phase. */
  driver: z.enum(["tracker", "shepherd"]).optional(),
  /** The group file's content hash when it was last registered (the shepherd's change detection). */
  fileHash: z.string().optional(),
  /** Launched again with --replace: its next completion first withdraws what it published before. */
  startedOver: z.literal(true).optional(),
  completion: z
    .object({
      requestId: z.string(),
      attempts: z.number().int(),
      error: ErrorDetailSchema.optional(),
      /** Projects still to publish after the request out now (a large group goes a batch at a time). */
      pending: z.array(z.string()).optional(),
      /** Products published so far by this completion. */
      published: z.number().int().optional(),
    })
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(HistoryEntrySchema),
  outbox: z.array(OutboxMessage).default([]),
});
export type GroupDoc = z.infer<typeof GroupDocSchema>;

/** One project of a launched group file, as the launcher read it. */
export const LaunchProjectSchema = z.object({
  code: Name,
  files: z.array(z.string().startsWith("/", "must be an absolute path")).min(1, "a project needs at least one file"),
  config: ProjectConfigSchema,
});
export type LaunchProject = z.infer<typeof LaunchProjectSchema>;

/**
 * A part of a launched group file: its projects, a few hundred at a time, stored by the launcher
 * for the state-tracker, which deletes them once the group is registered. The register message
 * names the launch; the files of a large flock never travel on the bus.
 */
export const LaunchChunkSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("launch"),
  group: Name,
  launch: z.string(),
  chunk: z.number().int().min(0),
  chunks: z.number().int().min(1),
  projects: z.array(LaunchProjectSchema),
});
export type LaunchChunk = z.infer<typeof LaunchChunkSchema>;

/**
 * Older entries of a project's history, moved out of its document: `history:<group>:<code>:<first
 * seq>`. `projectCreatedAt` ties them to one registration (a project registered anew starts its
 * history over, and archives of the earlier one are not part of it).
 */
export const HistoryDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("history"),
  group: Name,
  code: Name,
  projectCreatedAt: z.string(),
  entries: z.array(HistoryEntrySchema),
});
export type HistoryDoc = z.infer<typeof HistoryDocSchema>;

/** Prefix of a project's history documents; the first entry's seq follows, zero-padded (id order is seq order). */
export function historyPrefix(group: string, code: string): string {
  return `history:${group}:${code}:`;
}

/**
 * A project document with its history cut back to HISTORY_KEEP entries once it has more than
 * HISTORY_HIGH, and the document holding the entries cut (to be stored first). Pure.
 */
export function trimHistory(doc: ProjectDoc): { doc: ProjectDoc; archive?: HistoryDoc } {
  if (doc.history.length <= HISTORY_HIGH) return { doc };
  const cut = doc.history.slice(0, doc.history.length - HISTORY_KEEP);
  const first = cut[0]?.seq ?? 0;
  return {
    doc: { ...doc, history: doc.history.slice(-HISTORY_KEEP) },
    archive: {
      _id: `${historyPrefix(doc.group, doc.code)}${String(first).padStart(8, "0")}`,
      type: "history",
      group: doc.group,
      code: doc.code,
      projectCreatedAt: doc.createdAt,
      entries: cut,
    },
  };
}

/** A project's whole history: its archived entries (of the same registration, older than the document's) and its own. Pure. */
export function joinHistory(doc: Pick<ProjectDoc, "history" | "createdAt">, archives: readonly HistoryDoc[]): HistoryEntry[] {
  const firstKept = doc.history[0]?.seq ?? Number.POSITIVE_INFINITY;
  const older = new Map<number, HistoryEntry>();
  for (const a of archives) {
    if (a.projectCreatedAt !== doc.createdAt) continue;
    for (const h of a.entries) if (h.seq < firstKept) older.set(h.seq, h);
  }
  return [...[...older.values()].sort((a, b) => a.seq - b.seq), ...doc.history];
}

export const PhaseName = PhaseSchema;

export function projectId(group: string, code: string): string {
  return `project:${group}:${code}`;
}

export function groupId(group: string): string {
  return `group:${group}`;
}

/** Prefix of the ids of a launch's chunks; the chunk number follows, zero-padded (id order is chunk order). */
export function launchPrefix(group: string, launch: string): string {
  return `launch:${group}:${launch}:`;
}
