import { describe, expect, it } from "vitest";
import { createMemoryStore } from "@drover/shared";
import { holdLease, releaseLease } from "../../services/shepherd/src/lease.js";

// Two shepherds on one flock: one holds the lease and sweeps, the other stands by until the lease
// runs out or is given up.

describe("the shepherd's lease", () => {
  it("lets one holder sweep at a time, renewed by its holder, taken over once it runs out", async () => {
    const store = createMemoryStore();
    const t0 = Date.parse("2026-12-03T12:00:00Z");
    expect(await holdLease(store, "a", 60, t0)).toBe(true);
    expect(await holdLease(store, "b", 60, t0 + 1000)).toBe(false);
    expect(await holdLease(store, "a", 60, t0 + 30_000)).toBe(true); // renewed until t0 + 90 s
    expect(await holdLease(store, "b", 60, t0 + 61_000)).toBe(false);
    expect(await holdLease(store, "b", 60, t0 + 91_000)).toBe(true);
    expect(await holdLease(store, "a", 60, t0 + 92_000)).toBe(false);
  });

  it("is given up at once on a clean stop", async () => {
    const store = createMemoryStore();
    expect(await holdLease(store, "a", 600)).toBe(true);
    await releaseLease(store, "a");
    expect(await holdLease(store, "b", 600)).toBe(true);
    await releaseLease(store, "a"); // not its lease any more: nothing changes
    expect(await holdLease(store, "a", 600)).toBe(false);
  });

  it("cannot be won by two copies that read it at the same time", async () => {
    const store = createMemoryStore();
    const won = await Promise.all(["a", "b", "c", "d"].map((me) => holdLease(store, me, 60)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});
