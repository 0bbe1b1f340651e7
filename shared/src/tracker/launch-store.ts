import { randomUUID } from "node:crypto";
import { DroverError } from "../errors.js";
import { LaunchChunkSchema, launchPrefix, type LaunchChunk, type LaunchProject } from "../documents.js";
import type { DocStore } from "../store.js";

// A launched group file's projects, stored in chunks for the state-tracker: the launcher writes
// them, the register message names them, the tracker reads them and deletes them once the group
// is registered. A large flock's file lists stay out of the message.

/** Bytes of JSON per chunk, at most (a single larger project gets a chunk of its own). */
const CHUNK_BYTES = 512 * 1024;
/** Chunks written per bulk request. */
const WRITE_BATCH = 8;

export interface StoredLaunch {
  launch: string;
  chunks: number;
  projects: number;
}

/** Splits projects into chunks of at most `maxBytes` of JSON each, in order. Pure. */
export function chunkLaunch(group: string, launch: string, projects: LaunchProject[], maxBytes = CHUNK_BYTES): LaunchChunk[] {
  const parts: LaunchProject[][] = [];
  let cur: LaunchProject[] = [];
  let bytes = 0;
  for (const p of projects) {
    const size = JSON.stringify(p).length + 1;
    if (cur.length > 0 && bytes + size > maxBytes) {
      parts.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += size;
  }
  if (cur.length > 0) parts.push(cur);
  return parts.map((list, chunk) => ({
    _id: `${launchPrefix(group, launch)}${String(chunk).padStart(6, "0")}`,
    type: "launch",
    group,
    launch,
    chunk,
    chunks: parts.length,
    projects: list,
  }));
}

/** Stores a launch's projects; returns what the register message names. */
export async function storeLaunch(store: DocStore, group: string, projects: LaunchProject[]): Promise<StoredLaunch> {
  if (projects.length === 0) throw new DroverError("GroupFileError", `group ${group} has no projects to launch`);
  const launch = randomUUID();
  const docs = chunkLaunch(group, launch, projects);
  for (let i = 0; i < docs.length; i += WRITE_BATCH) {
    const results = await store.putMany(docs.slice(i, i + WRITE_BATCH));
    const clash = results.find((r) => !("rev" in r));
    if (clash) throw new DroverError("TransientError", `could not store launch ${launch} of group ${group}: ${clash.id} already exists`, { permanent: false });
  }
  return { launch, chunks: docs.length, projects: projects.length };
}

/**
 * The launch's chunks, checked against what the message said; undefined when none is left (the
 * launch was registered and deleted: the message is a redelivery).
 */
export async function readLaunch(store: DocStore, group: string, expected: StoredLaunch): Promise<LaunchChunk[] | undefined> {
  const raw = await store.list(launchPrefix(group, expected.launch));
  if (raw.length === 0) return undefined;
  const chunks = raw.map((d) => {
    const r = LaunchChunkSchema.safeParse(d);
    if (!r.success) throw new DroverError("MessageError", `launch document ${(d as { _id?: string })._id} does not match its schema: ${r.error.issues[0]?.message}`);
    return r.data;
  });
  const projects = chunks.reduce((n, c) => n + c.projects.length, 0);
  if (chunks.length !== expected.chunks || projects !== expected.projects) {
    throw new DroverError(
      "MessageError",
      `launch ${expected.launch} of group ${group}: found ${chunks.length} of ${expected.chunks} chunks holding ${projects} of ${expected.projects} projects; launch the group again`,
    );
  }
  return chunks;
}

/** Deletes a launch's chunks (after registration). Whatever is already gone is no error. */
export async function dropLaunch(store: DocStore, chunks: LaunchChunk[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += WRITE_BATCH * 8) {
    const batch = chunks.slice(i, i + WRITE_BATCH * 8).filter((c) => c._rev !== undefined);
    await store.putMany(batch.map((c) => ({ _id: c._id, _rev: c._rev, _deleted: true })));
  }
}

export type { LaunchChunk, LaunchProject } from "../documents.js";
