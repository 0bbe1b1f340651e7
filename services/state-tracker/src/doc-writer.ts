import { ConflictError, DroverError, type DocStore, type Message } from "@drover/shared";
import { DocCache } from "./doc-cache.js";
import { createKeyedLock } from "./keyed-lock.js";

// One read-modify-write per change: from the version this tracker last saw when it has one (no
// read), else from a read. A write from a stale version conflicts and is redone from a fresh
// read; a rule that changes nothing on a cached version is asked again on a fresh read, so a
// stale cache never makes the tracker drop a message. Changes to one document made by this
// process run one after another (no conflicts with ourselves).
//
// Published messages leave the outbox with the document's next change, or, when none comes
// within `clearAfterMs`, in one bulk write with the other documents waiting for the same.

interface Versioned {
  _id: string;
  _rev?: string | undefined;
  outbox: Message[];
}

export interface Change<T> {
  /** The version the rule was applied to, without the messages already published. */
  before: T | undefined;
  doc: T | undefined;
  changed: boolean;
}

export interface DocWriter<T extends Versioned> {
  /** Applies `rule` (undefined: no change) and writes the result honouring _rev. */
  change(id: string, rule: (cur: T | undefined) => T | undefined, options?: ChangeOptions): Promise<Change<T>>;
  /** The document as stored now (read, and remembered). */
  fresh(id: string): Promise<T | undefined>;
  /** Says these messages of `doc`'s outbox are published: they leave it soon (see above). */
  clearSent(doc: T, sent: Message[]): Promise<void>;
  /** Remembers documents written by other means (bulk writes). */
  remember(doc: T): void;
  forget(id: string): void;
  /** Writes the outboxes waiting to be cleared now. */
  flush(): Promise<void>;
}

export interface ChangeOptions {
  /**
   * Whether "no change" on a remembered version is checked on a fresh read (default true). Only
   * for messages that may be lost harmlessly when the remembered version is stale.
   */
  confirmNoop?: boolean;
}

export interface DocWriterOptions<T> {
  cacheSize: number;
  /** Wait this long for a document's next change to clear its outbox; 0 clears at once. */
  clearAfterMs: number;
  /** Runs on a changed document before it is written (a project's history moved out beyond its bound). */
  prepare?: (doc: T) => Promise<T>;
}

const ATTEMPTS = 20;
const CLEAR_BATCH = 500;
const backoff = (i: number) => new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** i) * Math.random()));

export function createDocWriter<T extends Versioned>(store: DocStore, read: (id: string) => Promise<T | undefined>, options: DocWriterOptions<T>): DocWriter<T> {
  const cache = new DocCache<T>(options.cacheSize);
  const lock = createKeyedLock();
  /** Per document: ids of published messages still in its stored outbox, and the version they were published from. */
  const published = new Map<string, { ids: Set<string>; doc: T }>();
  let timer: NodeJS.Timeout | undefined;

  const without = (d: T, ids: ReadonlySet<string>): T => (ids.size === 0 ? d : { ...d, outbox: d.outbox.filter((m) => !ids.has(m.id)) });
  const pendingIds = (id: string) => new Set(published.get(id)?.ids ?? []);
  /** These messages left the stored outbox. */
  const cleared = (id: string, ids: ReadonlySet<string>) => {
    const p = published.get(id);
    if (!p) return;
    for (const x of ids) p.ids.delete(x);
    if (p.ids.size === 0) published.delete(id);
  };

  async function fresh(id: string): Promise<T | undefined> {
    const doc = await read(id);
    if (doc) cache.set(doc);
    else cache.delete(id);
    return doc;
  }

  async function changeLocked(id: string, rule: (cur: T | undefined) => T | undefined, { confirmNoop = true } = {}): Promise<Change<T>> {
    let cur = cache.get(id);
    let cached = cur !== undefined;
    if (!cached) cur = await fresh(id);
    for (let i = 0; i < ATTEMPTS; i++) {
      const clearing = pendingIds(id);
      const base = cur === undefined ? undefined : without(structuredClone(cur), clearing);
      const changed = rule(base === undefined ? undefined : structuredClone(base));
      if (changed === undefined) {
        if (!cached || !confirmNoop) return { before: base, doc: base, changed: false };
        cur = await fresh(id);
        cached = false;
        continue;
      }
      try {
        const next = options.prepare ? await options.prepare(changed) : changed;
        const rev = await store.put({ ...next, _id: id, _rev: cur?._rev });
        const doc = { ...next, _rev: rev };
        cache.set(doc);
        // The write took the published messages out with it.
        cleared(id, clearing);
        return { before: base, doc, changed: true };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        await backoff(i);
        cur = await fresh(id);
        cached = false;
      }
    }
    throw new DroverError("TransientError", `document ${id} kept changing under ${ATTEMPTS} attempts to update it`, { permanent: false });
  }

  const change = (id: string, rule: (cur: T | undefined) => T | undefined, options?: ChangeOptions) => lock.run(id, () => changeLocked(id, rule, options));

  /** Clears one document's published messages on its own. */
  const clearOne = (id: string) => change(id, (cur) => (cur && published.has(id) ? cur : undefined)).then(() => undefined);

  /** Clears the waiting outboxes in bulk, holding each document's lock; documents being changed are left to their change. */
  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ids = [...published.keys()].filter((id) => !lock.busy(id));
    for (let i = 0; i < ids.length; i += CLEAR_BATCH) {
      const keys = ids.slice(i, i + CLEAR_BATCH);
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      const jobs = keys.map((id) => new Promise<void>((acquired) => void lock.run(id, () => (acquired(), held))));
      await Promise.all(jobs);
      try {
        await clearHeld(keys);
      } finally {
        release();
      }
    }
    if (published.size > 0) timer ??= setTimeout(() => void flush().catch(() => undefined), options.clearAfterMs || 100).unref();
  }

  /** One bulk write taking the published messages out of these documents, whose locks are held. */
  async function clearHeld(keys: string[]): Promise<void> {
    const batch = keys.flatMap((id) => {
      const p = published.get(id);
      if (!p) return [];
      const sent = new Set(p.ids);
      return [{ id, sent, doc: without(cache.get(id) ?? p.doc, sent) }];
    });
    const results = await store.putMany(batch.map((d) => d.doc));
    for (const [k, r] of results.entries()) {
      const d = batch[k];
      if (!d) continue;
      if ("rev" in r) {
        cleared(d.id, d.sent);
        cache.set({ ...d.doc, _rev: r.rev });
      } else {
        // Changed by another copy of the tracker: cleared from a fresh read.
        cache.delete(d.id);
        await changeLocked(d.id, (cur) => (cur && published.has(d.id) ? cur : undefined), { confirmNoop: false });
      }
    }
  }

  async function clearSent(doc: T, sent: Message[]): Promise<void> {
    if (sent.length === 0) return;
    const p = published.get(doc._id) ?? { ids: new Set<string>(), doc };
    for (const m of sent) p.ids.add(m.id);
    p.doc = doc;
    published.set(doc._id, p);
    if (options.clearAfterMs === 0) return clearOne(doc._id);
    timer ??= setTimeout(() => void flush().catch(() => undefined), options.clearAfterMs).unref();
  }

  return { change, fresh, clearSent, remember: (d) => cache.set(d), forget: (id) => cache.delete(id), flush };
}
