import Nano from "nano";
import type { z } from "zod";
import { DroverError } from "./errors.js";
import { projectStates, type ProjectState } from "./lifecycle.js";
import { GroupDocSchema, ProjectDocSchema, type GroupDoc, type ProjectDoc } from "./documents.js";

// The one store contract drover needs: documents by id, read back whole, written with their
// _rev. A stale _rev is a ConflictError; `updateDoc` re-reads and re-applies on it.

export interface Doc {
  _id: string;
  _rev?: string | undefined;
}

export interface DocStore {
  /** The document, or undefined when there is none. */
  get(id: string): Promise<unknown | undefined>;
  /** Writes the document; its _rev must be current (absent for a new one). Returns the new _rev. */
  put(doc: Doc): Promise<string>;
  /** Every document whose id starts with `prefix`, in id order. */
  list(prefix: string): Promise<unknown[]>;
  /** Number of projects of a group in each state. */
  countStates(group: string): Promise<Record<ProjectState, number>>;
  /** Ids of documents whose outbox still holds messages. */
  pendingOutbox(): Promise<string[]>;
}

export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(readonly id: string) {
    super(`document ${id} was changed by someone else`);
  }
}

const designDoc = {
  _id: "_design/drover",
  version: 2,
  views: {
    projects_by_group_state: {
      map: "function (doc) { if (doc.type === 'project') emit([doc.group, doc.state], null); }",
      reduce: "_count",
    },
    pending_outbox: {
      map: "function (doc) { if (doc.outbox && doc.outbox.length > 0) emit(doc._id, doc.outbox.length); }",
    },
  },
};

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

/** Connects to CouchDB (or pouchdb-server) and makes sure the database and its views exist. */
export async function openCouchStore(url: string, dbName: string): Promise<DocStore> {
  // pouchdb-server gzips and buffers responses unless asked not to (continuous changes never arrive).
  const server = Nano({ url, headers: { "Accept-Encoding": "identity" } });
  try {
    await server.db.create(dbName);
  } catch (e) {
    const err = e as NanoError;
    if (err.statusCode !== 412) {
      throw new DroverError(
        "TransientError",
        `cannot create or open database ${dbName} at ${new URL(url).host}: ${err.message ?? err.code ?? String(e)} ` +
          `(is CouchDB running? start the stack with 'npm run stack:start' or set COUCHDB_URL)`,
        { permanent: false, cause: e },
      );
    }
  }
  const db = server.use<Record<string, unknown>>(dbName);
  await ensureDesign(db);

  return {
    async get(id) {
      try {
        return await db.get(id);
      } catch (e) {
        if ((e as NanoError).statusCode === 404) return undefined;
        throw asStoreError(e, `get ${id}`);
      }
    },
    async put(doc) {
      try {
        const r = await db.insert(doc as unknown as Nano.MaybeDocument & Record<string, unknown>);
        return r.rev;
      } catch (e) {
        if ((e as NanoError).statusCode === 409) throw new ConflictError(doc._id);
        throw asStoreError(e, `put ${doc._id}`);
      }
    },
    async list(prefix) {
      try {
        const r = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
        return r.rows.flatMap((row) => (row.doc ? [row.doc] : []));
      } catch (e) {
        throw asStoreError(e, `list ${prefix}`);
      }
    },
    async countStates(group) {
      const counts = Object.fromEntries(projectStates.map((s) => [s, 0])) as Record<ProjectState, number>;
      try {
        const r = await db.view("drover", "projects_by_group_state", {
          group_level: 2,
          startkey: [group],
          endkey: [group, {}],
        });
        for (const row of r.rows) {
          const state = (row.key as unknown as [string, ProjectState])[1];
          if (state in counts) counts[state] = Number(row.value);
        }
        return counts;
      } catch (e) {
        throw asStoreError(e, `count states of ${group}`);
      }
    },
    async pendingOutbox() {
      try {
        const r = await db.view("drover", "pending_outbox", {});
        return r.rows.map((row) => row.id);
      } catch (e) {
        throw asStoreError(e, "list pending outboxes");
      }
    },
  };
}

async function ensureDesign(db: Nano.DocumentScope<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < 5; i++) {
    let current: Record<string, unknown> | undefined;
    try {
      current = await db.get(designDoc._id);
    } catch (e) {
      if ((e as NanoError).statusCode !== 404) throw asStoreError(e, "read design document");
    }
    if (current && current.version === designDoc.version) return;
    try {
      await db.insert({ ...designDoc, ...(current ? { _rev: current._rev } : {}) } as unknown as Record<string, unknown>);
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
  return {
    docs,
    async get(id) {
      const d = docs.get(id);
      return d === undefined ? undefined : clone(d);
    },
    async put(doc) {
      const cur = docs.get(doc._id);
      if ((cur?._rev ?? undefined) !== (doc._rev ?? undefined)) throw new ConflictError(doc._id);
      const rev = `${++n}-mem`;
      docs.set(doc._id, clone({ ...doc, _rev: rev }));
      return rev;
    },
    async list(prefix) {
      return [...docs.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k) => clone(docs.get(k)));
    },
    async countStates(group) {
      const counts = Object.fromEntries(projectStates.map((s) => [s, 0])) as Record<ProjectState, number>;
      for (const d of docs.values()) {
        const p = d as Partial<ProjectDoc>;
        if (p.type === "project" && p.group === group && p.state) counts[p.state]++;
      }
      return counts;
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

export async function listGroups(store: DocStore): Promise<GroupDoc[]> {
  const docs = await store.list("group:");
  return docs.map((d) => parseDoc(GroupDocSchema, d, (d as Doc)._id));
}
