import { z } from "zod";
import { updateDoc, type DocStore } from "@drover/shared";

// Several shepherds may run; one sweeps at a time. The lease is a document naming its holder
// and when it runs out; taking it is a write at the revision read, so two copies cannot both win.
// The holder renews it before every sweep and while it works; a copy that stops lets it run out.

export const LEASE_ID = "shepherd:lease";

const LeaseSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal("shepherd-lease"),
  holder: z.string(),
  until: z.string(),
});
export type Lease = z.infer<typeof LeaseSchema>;

/** Takes or renews the lease for `seconds`; false when another live holder has it. */
export async function holdLease(store: DocStore, me: string, seconds: number, now = Date.now()): Promise<boolean> {
  const { doc } = await updateDoc(store, LEASE_ID, LeaseSchema, (cur) => {
    if (cur && cur.holder !== me && Date.parse(cur.until) > now) return undefined;
    return { _id: LEASE_ID, type: "shepherd-lease" as const, holder: me, until: new Date(now + seconds * 1000).toISOString() };
  });
  return doc?.holder === me && Date.parse(doc.until) > now;
}

/** Gives the lease up at once (a clean stop), so another copy need not wait for it to run out. */
export async function releaseLease(store: DocStore, me: string): Promise<void> {
  await updateDoc(store, LEASE_ID, LeaseSchema, (cur) => (cur && cur.holder === me ? { ...cur, until: new Date(0).toISOString() } : undefined));
}
