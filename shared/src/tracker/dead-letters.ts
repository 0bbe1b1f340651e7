import { z } from "zod";
import type { DocStore } from "../store.js";

// Messages the broker parked in the dead-letter queue, kept in the database for operators
// (`drover deadletters list|replay|drop`): what it was, where it was refused, and why. The
// state-tracker takes them off the queue, so that nothing sits there unseen.

/** At most this much of a parked message's body is kept (a huge garbage message must not bloat the database). */
export const DEAD_LETTER_KEEP_BYTES = 64 * 1024;

export const DeadLetterDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("deadletter"),
  at: z.string(),
  /** The selector it was published on, the queue that refused it, and the broker's reason. */
  selector: z.string(),
  queue: z.string(),
  reason: z.string(),
  group: z.string().optional(),
  project: z.string().optional(),
  /** The body as received (cut at DEAD_LETTER_KEEP_BYTES; `truncated` says so). */
  content: z.string(),
  truncated: z.boolean(),
});
export type DeadLetterDoc = z.infer<typeof DeadLetterDocSchema>;

/** What the broker tells about a parked message. */
export interface ParkedMessage {
  messageId: string | undefined;
  routingKey: string;
  content: Buffer;
  /** The `x-death` header's first entry and our own retry count. */
  queue: string;
  reason: string;
  /** The reason is the bus's own (oversized, malformed, refused by its handler), not the broker's. */
  explained?: boolean;
  retries: number;
}

/** An envelope field read from the start of a body that is not whole JSON (an oversized one, cut). */
function headField(text: string, field: string): string | undefined {
  return new RegExp(`"${field}"\\s*:\\s*"([A-Za-z0-9_.+:-]{1,200})"`).exec(text.slice(0, 4096))?.[1];
}

/** The document for a parked message; its fields (group, project, type) read from the body when it is JSON. */
export function deadLetterDoc(m: ParkedMessage, now: string): DeadLetterDoc {
  const text = m.content.toString("utf8");
  let head: { id?: unknown; type?: unknown; group?: unknown; project?: unknown } = {};
  try {
    // A body cut by the bus (oversized) is not parsed whole: its envelope is read from its start.
    const parsed = (text.length <= DEAD_LETTER_KEEP_BYTES ? JSON.parse(text) : undefined) as unknown;
    if (parsed && typeof parsed === "object") head = parsed as typeof head;
  } catch {
    // not JSON: kept as text, the reason says so below
  }
  if (m.explained && head.type === undefined) head = { id: headField(text, "id"), type: headField(text, "type"), group: headField(text, "group"), project: headField(text, "project") };
  const str = (v: unknown) => (typeof v === "string" && v.length <= 200 ? v : undefined);
  const id = str(head.id) ?? m.messageId ?? `${now}-${Math.random().toString(16).slice(2, 10)}`;
  const selector = str(head.type) ?? m.routingKey;
  const group = str(head.group);
  const project = str(head.project);
  const why = m.explained ? m.reason : head.type === undefined ? "not a drover message (not JSON, or no envelope)" : m.reason;
  return {
    _id: `deadletter:${id}`,
    type: "deadletter",
    at: now,
    selector,
    queue: m.queue,
    reason: `${why}${m.retries > 0 ? ` after ${m.retries} retries` : ""}`,
    ...(group ? { group } : {}),
    ...(project ? { project } : {}),
    content: text.slice(0, DEAD_LETTER_KEEP_BYTES),
    // The bus parks an oversized body cut to its first DEAD_LETTER_KEEP_BYTES: cut too (never replayed).
    truncated: text.length > DEAD_LETTER_KEEP_BYTES || (m.explained === true && m.reason.startsWith("oversized:")),
  };
}

export async function listDeadLetters(store: DocStore): Promise<DeadLetterDoc[]> {
  return (await store.list("deadletter:")).flatMap((d) => {
    const r = DeadLetterDocSchema.safeParse(d);
    return r.success ? [r.data] : [];
  });
}
