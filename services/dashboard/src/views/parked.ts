import { DeadLetterDocSchema, type DocStore } from "@drover/shared";

// The bus page's parked messages: what the state-tracker took off the dead-letter queue and kept
// as `deadletter:` documents (drover deadletters list|replay|drop), newest first. Only a bounded
// number of documents is read: thousands of garbage messages must not make the page slow.

/** At most this many parked documents are read for the page. */
export const PARKED_READ_LIMIT = 500;

export interface ParkedRow {
  id: string;
  at: string;
  selector: string;
  queue: string;
  reason: string;
  group?: string;
  project?: string;
  preview: string;
}

export interface ParkedView {
  /** Documents read (at most PARKED_READ_LIMIT); `more` when there may be others. */
  count: number;
  more: boolean;
  rows: ParkedRow[];
}

/** A message body shortened for a table cell. */
export function preview(content: string, max = 300): string {
  return content.length > max ? `${content.slice(0, max - 1)}…` : content;
}

/** The parked documents as the page shows them: the newest `show` of those read. */
export function parkedRows(docs: readonly unknown[], show: number): ParkedRow[] {
  return docs
    .flatMap((d) => {
      const r = DeadLetterDocSchema.safeParse(d);
      return r.success ? [r.data] : [];
    })
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, show)
    .map((d) => ({
      id: d._id.slice("deadletter:".length),
      at: d.at,
      selector: d.selector,
      queue: d.queue,
      reason: d.reason,
      ...(d.group ? { group: d.group } : {}),
      ...(d.project ? { project: d.project } : {}),
      preview: preview(d.content),
    }));
}

export async function parkedView(store: DocStore, show: number): Promise<ParkedView> {
  const docs = await store.list("deadletter:", { limit: PARKED_READ_LIMIT });
  return { count: docs.length, more: docs.length >= PARKED_READ_LIMIT, rows: parkedRows(docs, show) };
}
