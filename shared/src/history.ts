import { HistoryDocSchema, historyPrefix, joinHistory, type HistoryDoc, type HistoryEntry, type ProjectDoc } from "./documents.js";
import { ConflictError, removeDoc, type DocStore } from "./store.js";

// A project's history beyond its document: stored before the document that leaves those entries
// out (a crash between the two leaves them in both, never in neither), read back by whatever
// shows the whole history (drover show/logs, the dashboard's project page, the shepherd's count
// of retries).

/**
 * Stores a history document. One already there (a write redone after a conflict, another copy
 * of the state-tracker) is merged with it: entries of the same registration are kept by seq.
 */
export async function storeHistory(store: DocStore, archive: HistoryDoc, attempts = 10): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const raw = await store.get(archive._id);
    const cur = raw === undefined ? undefined : HistoryDocSchema.safeParse(raw);
    let entries = archive.entries;
    if (cur?.success && cur.data.projectCreatedAt === archive.projectCreatedAt) {
      const bySeq = new Map<number, HistoryEntry>(cur.data.entries.map((h) => [h.seq, h]));
      for (const h of archive.entries) bySeq.set(h.seq, h);
      entries = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
      if (entries.length === cur.data.entries.length) return;
    }
    try {
      await store.put({ ...archive, entries, _rev: (raw as { _rev?: string } | undefined)?._rev } as HistoryDoc);
      return;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
  throw new ConflictError(archive._id);
}

/** The project's history documents (those that parse). */
export async function readHistoryDocs(store: DocStore, group: string, code: string): Promise<HistoryDoc[]> {
  return (await store.list(historyPrefix(group, code))).flatMap((d) => {
    const r = HistoryDocSchema.safeParse(d);
    return r.success ? [r.data] : [];
  });
}

/** The project's whole history; no read when its document holds all of it (its first entry is seq 1). */
export async function fullHistory(store: DocStore, p: Pick<ProjectDoc, "group" | "code" | "history" | "createdAt">): Promise<HistoryEntry[]> {
  if ((p.history[0]?.seq ?? 1) <= 1) return p.history;
  return joinHistory(p, await readHistoryDocs(store, p.group, p.code));
}

/** The project with its whole history. */
export async function withFullHistory<P extends Pick<ProjectDoc, "group" | "code" | "history" | "createdAt">>(store: DocStore, p: P): Promise<P> {
  const history = await fullHistory(store, p);
  return history === p.history ? p : { ...p, history };
}

/** Deletes a project's history documents (the project was removed from its group). */
export async function removeHistory(store: DocStore, group: string, code: string): Promise<void> {
  for (const d of await readHistoryDocs(store, group, code)) await removeDoc(store, d._id);
}

/** Copies a project's history documents to its new group (a transfer), before its old ones are removed. */
export async function copyHistory(store: DocStore, from: string, to: string, code: string): Promise<void> {
  for (const d of await readHistoryDocs(store, from, code)) {
    const { _rev: _r, ...rest } = d;
    await storeHistory(store, { ...rest, _id: `${historyPrefix(to, code)}${d._id.slice(historyPrefix(from, code).length)}`, group: to });
  }
}
