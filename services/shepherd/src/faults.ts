import { z } from "zod";
import { updateDoc, type DocStore } from "@drover/shared";

// Group files the shepherd could not take in, kept in the database so that each problem is
// reported once (not at every sweep, nor again after a restart) and retried when its file changes.

export const FAULTS_ID = "shepherd:faults";

const FaultsSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("shepherd-faults"),
  files: z.record(z.string(), z.object({ key: z.string(), message: z.string(), at: z.string() })),
});

export async function readFaults(store: DocStore): Promise<Map<string, { key: string; message: string; at: string }>> {
  const raw = await store.get(FAULTS_ID);
  const parsed = FaultsSchema.safeParse(raw);
  return new Map(parsed.success ? Object.entries(parsed.data.files) : []);
}

export async function recordFault(store: DocStore, file: string, key: string, message: string): Promise<void> {
  await updateDoc(store, FAULTS_ID, FaultsSchema, (cur) => ({
    _id: FAULTS_ID,
    type: "shepherd-faults" as const,
    files: { ...(cur?.files ?? {}), [file]: { key, message, at: new Date().toISOString() } },
  }));
}

export async function clearFault(store: DocStore, file: string): Promise<void> {
  await updateDoc(store, FAULTS_ID, FaultsSchema, (cur) => {
    if (!cur || !(file in cur.files)) return undefined;
    const { [file]: _gone, ...rest } = cur.files;
    return { ...cur, files: rest };
  });
}
