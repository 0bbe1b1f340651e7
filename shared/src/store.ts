import Nano from "nano";
import { Agent } from "undici";
import type { z } from "zod";
import { DroverError } from "./errors.js";
import { isActive, phaseOf, projectStates, type ProjectState } from "./lifecycle.js";
import { GroupDocSchema, ProjectDocSchema, projectId, type GroupDoc, type ProjectDoc } from "./documents.js";
import { createWriteBatcher, type RowOutcome } from "./write-batch.js";

// The one store contract drover needs: documents by id, read back whole, written with their
// _rev. A stale _rev is a ConflictError; `updateDoc` re-reads and re-applies on it.

export interface Doc {
  _id: string;
  _rev?: string | undefined;
  /** Set on a write that deletes the document (CouchDB's tombstone). */
  _deleted?: boolean;
}

export interface DocStore {
  /** The document, or undefined when there is none. */
  get(id: string): Promise<unknown | undefined>;
  /** Several documents in one request (CouchDB's _all_docs with keys), in the order asked; undefined where there is none. */
  getMany(ids: string[]): Promise<Array<unknown | undefined>>;
  /** Writes the document; its _rev must be current (absent for a new one). Returns the new _rev. */
  put(doc: Doc): Promise<string>;
  /**
   * Writes many documents in one request (CouchDB's _bulk_docs), each under the same rule as `put`.
   * Each result says the new _rev, or that the document conflicted; other failures throw.
   */
  putMany(docs: Doc[]): Promise<PutResult[]>;
  /** Deletes the document at that _rev (a stale one is a ConflictError); a missing one is no error. */
  remove(id: string, rev: string): Promise<void>;
  /** Every document whose id starts with `prefix`, in id order; a page of `limit` after the id `after` when given. */
  list(prefix: string, page?: { after?: string | undefined; limit: number }): Promise<unknown[]>;
  /** Number of projects of a group in each state. */
  countStates(group: string): Promise<Record<ProjectState, number>>;
  /** A page of a group's projects in one state, in id order (the same view as `countStates`). */
  projectsInState(group: string, state: ProjectState, page: { skip: number; limit: number }): Promise<unknown[]>;
  /**
   * A page of a group's projects in one state, in id order, without their documents: each one's
   * task start (null while its request waits in a queue) and time budget, from the same view.
   */
  taskStarts(group: string, state: ProjectState, page: { skip: number; limit: number }): Promise<TaskStart[]>;
  /** Ids of documents whose outbox still holds messages. */
  pendingOutbox(): Promise<string[]>;
  /** Closes the store's connections (a stopping service); optional. */
  close?(): Promise<void>;
}

/** When a project's running task started, as the state view carries it (see `taskStarts`). */
export interface TaskStart {
  id: string;
  /** The current phase's startedAt; null when the task has not started. */
  startedAt: string | null;
  /** The project's own time budget in seconds; null when it has none. */
  budgetSeconds: number | null;
}

export type PutResult = { id: string; rev: string } | { id: string; conflict: true };

export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(readonly id: string) {
    super(`document ${id} was changed by someone else`);
  }
}

const designDoc = {
  _id: "_design/drover",
  version: 3,
  views: {
    // The value: a running task's [startedAt, budget seconds], so that the search for lost tasks reads no documents.
    projects_by_group_state: {
      map:
        "function (doc) { if (doc.type !== 'project') return; var phase = { Scanning: 'scan', Computing: 'compute', Validating: 'validate' }[doc.state]; " +
        "var rec = phase && doc.phases ? doc.phases[phase] : null; var budget = doc.config && doc.config.budget ? doc.config.budget.seconds : null; " +
        "emit([doc.group, doc.state], rec && rec.startedAt ? [rec.startedAt, budget] : null); }",
      reduce: "_count",
    },
    pending_outbox: {
      map: "function (doc) { if (doc.outbox && doc.outbox.length > 0) emit(doc._id, doc.outbox.length); }",
    },
  },
};

/** A row of the state view as a TaskStart (a value from an older view reads as not started). */
function taskStart(id: string, value: unknown): TaskStart {
  if (!Array.isArray(value) || typeof value[0] !== "string") return { id, startedAt: null, budgetSeconds: null };
  return { id, startedAt: value[0], budgetSeconds: typeof value[1] === "number" ? value[1] : null };
}

interface NanoError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function asStoreError(e: unknown, what: string): unknown {
  const err = e as NanoError;
  if (err.statusCode === 409) return e;
  if (err.statusCode === undefined || err.statusCode >= 500) {
    return new DroverError("TransientError", `CouchDB ${what}: ${err.code ?? err.message ?? String(e)}`, {
      permanent: false,
      cause: e,
    });
  }
  return e;
}

// A kept-alive connection is reused for at most this long, even when the server's `Keep-Alive:
// timeout=` hint allows more: well under the idle timeout of common servers (Node's http server
// and so pouchdb-server: 5 s), so that we rarely send a request on a connection the server is
// closing. Rarely, not never (a busy event loop delays our own timer): see `retryOnReset`.
const KEEP_ALIVE_MS = 2_000;

// nano turns a failed connection into a plain Error that keeps only the text of the cause.
const resetSocket = /^error happened in your connection\. Reason: .*(other side closed|ECONNRESET|socket hang up|EPIPE|UND_ERR_SOCKET)/;

function isResetSocket(e: unknown): boolean {
  return e instanceof Error && (e as NanoError).statusCode === undefined && resetSocket.test(e.message);
}

/**
 * Sends a request, and once more at once if the connection it went out on was closed or reset
 * under it: a kept-alive connection the server dropped while we were idle or busy. Only then:
 * HTTP errors and refused connections surface as they are.
 * Replaying is safe for every request of this store: reads are idempotent, creating the database
 * again answers 412 (handled), and a write carries the _rev it replaces, so a write whose first
 * attempt was in fact applied comes back 409: a ConflictError, on which `updateDoc` (and
 * `ensureDesign`) re-read the document and re-apply the change.
 */
async function retryOnReset<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    if (!isResetSocket(e)) throw e;
    return await request();
  }
}

/** Connects to CouchDB (or pouchdb-server) and makes sure the database and its views exist. */
export async function openCouchStore(url: string, dbName: string): Promise<DocStore> {
  const agent = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS });
  const server = Nano({
    url,
    // pouchdb-server gzips and buffers responses unless asked not to (continuous changes never arrive).
    headers: { "Accept-Encoding": "identity" },
    // nano passes a Dispatcher on to fetch; its types only name the Agent class, not an instance.
    agentOptions: agent as unknown as Nano.AgentOptions,
  });
  try {
    await retryOnReset(() => server.db.create(dbName));
  } catch (e) {
    const err = e as NanoError;
    if (err.statusCode !== 412) {
      throw new DroverError(
        "TransientError",
        `cannot create or open database ${dbName} at ${new URL(url).host}: ${(err.message ?? err.code ?? String(e)).replace(/^error happened in your connection\. Reason: (Error: )?/, "")} ` +
          `(is CouchDB running? start the stack with 'npm run stack:start' or set COUCHDB_URL)`,
        { permanent: false, cause: e },
      );
    }
  }
  const db = server.use<Record<string, unknown>>(dbName);
  await ensureDesign(db);

  /** One _bulk_docs request: each document's new _rev, conflict or error, in order. */
  async function bulkRows(docs: Doc[]): Promise<RowOutcome[]> {
    if (docs.length === 0) return [];
    let rows: Nano.DocumentBulkResponse[];
    try {
      rows = await retryOnReset(() => db.bulk({ docs: docs as unknown as Array<Nano.MaybeDocument & Record<string, unknown>> }));
    } catch (e) {
      throw asStoreError(e, `write ${docs.length} document${docs.length === 1 ? "" : "s"} (${docs[0]?._id}${docs.length > 1 ? ", …" : ""})`);
    }
    // Rows are matched to documents by id: pouchdb-server does not always answer in the order
    // of the request (seen: two rows of thirty swapped), which CouchDB's documentation promises.
    const byId = new Map<string, Nano.DocumentBulkResponse[]>();
    for (const r of rows) {
      const same = byId.get(r.id);
      if (same) same.push(r);
      else byId.set(r.id, [r]);
    }
    return docs.map((d): RowOutcome => {
      const r = byId.get(d._id)?.shift();
      if (r?.rev && !r.error) return { rev: r.rev };
      if (r?.error === "conflict") return { conflict: true };
      return { error: new DroverError("TransientError", `CouchDB write ${d._id}: ${r ? `${r.error}: ${r.reason}` : "no answer for this document"}`, { permanent: false }) };
    });
  }
  // Writes of single documents (the state-tracker's transitions) go out gathered: see write-batch.ts.
  const gathered = createWriteBatcher(bulkRows, (id) => new ConflictError(id), { maxBatch: 32, maxInFlight: 1 });

  return {
    async get(id) {
      try {
        return await retryOnReset(() => db.get(id));
      } catch (e) {
        if ((e as NanoError).statusCode === 404) return undefined;
        throw asStoreError(e, `get ${id}`);
      }
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      try {
        const r = await retryOnReset(() => db.fetch({ keys: ids }));
        // A row per key asked, in order; a missing one has an error, a deleted one no doc.
        const byId = new Map<string, unknown>();
        for (const row of r.rows) if ("doc" in row && row.doc) byId.set(row.key, row.doc);
        return ids.map((id) => byId.get(id));
      } catch (e) {
        throw asStoreError(e, `get ${ids.length} documents (${ids[0]}${ids.length > 1 ? ", …" : ""})`);
      }
    },
    put: (doc) => gathered(doc),
    async putMany(docs) {
      const rows = await bulkRows(docs);
      return rows.map((r, i): PutResult => {
        const id = docs[i]?._id ?? "?";
        if ("rev" in r) return { id, rev: r.rev };
        if ("conflict" in r) return { id, conflict: true };
        throw r.error;
      });
    },
    async remove(id, rev) {
      try {
        await retryOnReset(() => db.destroy(id, rev));
      } catch (e) {
        const status = (e as NanoError).statusCode;
        if (status === 404) return;
        if (status === 409) throw new ConflictError(id);
        throw asStoreError(e, `remove ${id}`);
      }
    },
    async list(prefix, page) {
      try {
        // A page starts at the last id of the one before, skipped.
        const range = page?.after === undefined ? { startkey: prefix } : { startkey: page.after, skip: 1 };
        const r = await retryOnReset(() => db.list({ ...range, endkey: `${prefix}\ufff0`, include_docs: true, ...(page ? { limit: page.limit } : {}) }));
        return r.rows.flatMap((row) => (row.doc ? [row.doc] : []));
      } catch (e) {
        throw asStoreError(e, `list ${prefix}`);
      }
    },
    async countStates(group) {
      const counts = Object.fromEntries(projectStates.map((s) => [s, 0])) as Record<ProjectState, number>;
      try {
        const r = await retryOnReset(() =>
          db.view("drover", "projects_by_group_state", { group_level: 2, startkey: [group], endkey: [group, {}] }),
        );
        for (const row of r.rows) {
          const state = (row.key as unknown as [string, ProjectState])[1];
          if (state in counts) counts[state] = Number(row.value);
        }
        return counts;
      } catch (e) {
        throw asStoreError(e, `count states of ${group}`);
      }
    },
    async projectsInState(group, state, page) {
      try {
        const r = await retryOnReset(() =>
          db.view("drover", "projects_by_group_state", { key: [group, state], reduce: false, include_docs: true, skip: page.skip, limit: page.limit }),
        );
        return r.rows.flatMap((row) => (row.doc ? [row.doc] : []));
      } catch (e) {
        throw asStoreError(e, `list ${state} projects of ${group}`);
      }
    },
    async taskStarts(group, state, page) {
      try {
        const r = await retryOnReset(() => db.view("drover", "projects_by_group_state", { key: [group, state], reduce: false, skip: page.skip, limit: page.limit }));
        return r.rows.map((row) => taskStart(row.id, row.value));
      } catch (e) {
        throw asStoreError(e, `list ${state} tasks of ${group}`);
      }
    },
    async pendingOutbox() {
      try {
        const r = await retryOnReset(() => db.view("drover", "pending_outbox", {}));
        return r.rows.map((row) => row.id);
      } catch (e) {
        throw asStoreError(e, "list pending outboxes");
      }
    },
    async close() {
      await agent.close().catch(() => undefined);
    },
  };
}

async function ensureDesign(db: Nano.DocumentScope<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < 5; i++) {
    let current: Record<string, unknown> | undefined;
    try {
      current = await retryOnReset(() => db.get(designDoc._id));
    } catch (e) {
      if ((e as NanoError).statusCode !== 404) throw asStoreError(e, "read design document");
    }
    if (current && current.version === designDoc.version) return;
    try {
      await retryOnReset(() => db.insert({ ...designDoc, ...(current ? { _rev: current._rev } : {}) } as unknown as Record<string, unknown>));
      return;
    } catch (e) {
      if ((e as NanoError).statusCode !== 409) throw asStoreError(e, "write design document");
    }
  }
}

/** A DocStore in a Map, with the same conflict rules: for unit tests and one-shot runs. */
export function createMemoryStore(): DocStore & { docs: Map<string, Doc> } {
  const docs = new Map<string, Doc>();
  let n = 0;
  const clone = <T>(v: T): T => structuredClone(v);
  const inState = (group: string, state: ProjectState, page: { skip: number; limit: number }) =>
    [...docs.values()]
      .filter((d) => (d as Partial<ProjectDoc>).type === "project" && (d as ProjectDoc).group === group && (d as ProjectDoc).state === state)
      .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
      .slice(page.skip, page.skip + page.limit);
  return {
    docs,
    async get(id) {
      const d = docs.get(id);
      return d === undefined ? undefined : clone(d);
    },
    async getMany(ids) {
      return ids.map((id) => {
        const d = docs.get(id);
        return d === undefined ? undefined : clone(d);
      });
    },
    async put(doc) {
      const cur = docs.get(doc._id);
      if ((cur?._rev ?? undefined) !== (doc._rev ?? undefined)) throw new ConflictError(doc._id);
      const rev = `${++n}-mem`;
      if (doc._deleted) docs.delete(doc._id);
      else docs.set(doc._id, clone({ ...doc, _rev: rev }));
      return rev;
    },
    async putMany(list) {
      const results: PutResult[] = [];
      for (const doc of list) {
        try {
          results.push({ id: doc._id, rev: await this.put(doc) });
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
          results.push({ id: doc._id, conflict: true });
        }
      }
      return results;
    },
    async remove(id, rev) {
      const cur = docs.get(id);
      if (!cur) return;
      if (cur._rev !== rev) throw new ConflictError(id);
      docs.delete(id);
    },
    async list(prefix, page) {
      const keys = [...docs.keys()].filter((k) => k.startsWith(prefix) && (page?.after === undefined || k > page.after)).sort();
      return (page ? keys.slice(0, page.limit) : keys).map((k) => clone(docs.get(k)));
    },
    async countStates(group) {
      const counts = Object.fromEntries(projectStates.map((s) => [s, 0])) as Record<ProjectState, number>;
      for (const d of docs.values()) {
        const p = d as Partial<ProjectDoc>;
        if (p.type === "project" && p.group === group && p.state) counts[p.state]++;
      }
      return counts;
    },
    async projectsInState(group, state, page) {
      return inState(group, state, page).map(clone);
    },
    async taskStarts(group, state, page) {
      return inState(group, state, page).map((d) => {
        const p = d as ProjectDoc;
        const phase = phaseOf(p.state);
        const started = phase && phase !== "complete" && isActive(p.state) ? p.phases[phase]?.startedAt : undefined;
        return taskStart(p._id, started ? [started, p.config.budget?.seconds ?? null] : null);
      });
    },
    async pendingOutbox() {
      return [...docs.entries()]
        .filter(([, d]) => ((d as { outbox?: unknown[] }).outbox?.length ?? 0) > 0)
        .map(([id]) => id)
        .sort();
    },
  };
}

/**
 * Read, change, write; on a conflict read again and re-apply, never overwrite blindly.
 * `change` returns the new document, or undefined to leave it as it is.
 */
export async function updateDoc<T extends Doc>(
  store: DocStore,
  id: string,
  schema: z.ZodType<T>,
  change: (current: T | undefined) => T | undefined,
  attempts = 20,
): Promise<{ doc: T | undefined; changed: boolean }> {
  for (let i = 0; i < attempts; i++) {
    const raw = await store.get(id);
    const current = raw === undefined ? undefined : parseDoc(schema, raw, id);
    const next = change(current === undefined ? undefined : structuredClone(current));
    if (next === undefined) return { doc: current, changed: false };
    try {
      const rev = await store.put({ ...next, _id: id, _rev: current?._rev });
      return { doc: { ...next, _rev: rev }, changed: true };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** i) * Math.random()));
    }
  }
  throw new DroverError("TransientError", `document ${id} kept changing under ${attempts} attempts to update it`, {
    permanent: false,
  });
}

/** Deletes a document whatever its revision: on a conflict, reads the current one and tries again. */
export async function removeDoc(store: DocStore, id: string, attempts = 20): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const cur = (await store.get(id)) as Doc | undefined;
    if (!cur?._rev) return;
    try {
      await store.remove(id, cur._rev);
      return;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
  throw new DroverError("TransientError", `document ${id} kept changing under ${attempts} attempts to delete it`, { permanent: false });
}

function parseDoc<T>(schema: z.ZodType<T>, raw: unknown, id: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new DroverError(
      "MessageError",
      `document ${id} in the database does not match its schema (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}); ` +
        `it was written by another version or edited by hand`,
    );
  }
  return r.data;
}

export async function readProject(store: DocStore, id: string): Promise<ProjectDoc | undefined> {
  const raw = await store.get(id);
  return raw === undefined ? undefined : parseDoc(ProjectDocSchema, raw, id);
}

export async function readGroup(store: DocStore, id: string): Promise<GroupDoc | undefined> {
  const raw = await store.get(id);
  return raw === undefined ? undefined : parseDoc(GroupDocSchema, raw, id);
}

export async function listProjects(store: DocStore, group: string): Promise<ProjectDoc[]> {
  const docs = await store.list(`project:${group}:`);
  return docs.map((d) => parseDoc(ProjectDocSchema, d, (d as Doc)._id));
}

/** These projects of a group, read in one request each `size` codes; those not registered are left out. */
export async function readProjects(store: DocStore, group: string, codes: string[], size = 500): Promise<ProjectDoc[]> {
  const out: ProjectDoc[] = [];
  for (let i = 0; i < codes.length; i += size) {
    const ids = codes.slice(i, i + size).map((c) => projectId(group, c));
    for (const [k, d] of (await store.getMany(ids)).entries()) if (d !== undefined) out.push(parseDoc(ProjectDocSchema, d, ids[k] ?? "?"));
  }
  return out;
}

/**
 * A group's projects a page at a time, in id order: a group of tens of thousands of projects is
 * never all in memory at once.
 */
export async function* projectPages(store: DocStore, group: string, size = 1000): AsyncGenerator<ProjectDoc[]> {
  let after: string | undefined;
  for (;;) {
    const docs = await store.list(`project:${group}:`, { after, limit: size });
    if (docs.length === 0) return;
    const page = docs.map((d) => parseDoc(ProjectDocSchema, d, (d as Doc)._id));
    yield page;
    if (docs.length < size) return;
    after = (docs[docs.length - 1] as Doc)._id;
  }
}

/** A page of a group's projects in one state, parsed. */
export async function projectsInState(store: DocStore, group: string, state: ProjectState, page: { skip: number; limit: number }): Promise<ProjectDoc[]> {
  const docs = await store.projectsInState(group, state, page);
  return docs.map((d) => parseDoc(ProjectDocSchema, d, (d as Doc)._id));
}

export async function listGroups(store: DocStore): Promise<GroupDoc[]> {
  const docs = await store.list("group:");
  return docs.map((d) => parseDoc(GroupDocSchema, d, (d as Doc)._id));
}
