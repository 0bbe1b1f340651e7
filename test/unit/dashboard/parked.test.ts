import { describe, expect, it } from "vitest";
import { createMemoryStore, deadLetterDoc } from "@drover/shared";
import { parkedRows, parkedView, PARKED_READ_LIMIT } from "../../../services/dashboard/src/views/parked.js";

// The bus page's parked messages come from the `deadletter:` documents the state-tracker keeps
// (it drains the dead-letter queue, so a peek at the queue mostly shows it empty).

const parked = (id: string, at: string, body: string, reason = "rejected") =>
  deadLetterDoc({ messageId: id, routingKey: "project.scan.request", content: Buffer.from(body), queue: "drover.scanner.project.scan.request", reason, retries: 0 }, at);

describe("parked messages on the bus page", () => {
  it("lists the newest first, with the envelope's group and project and a cut preview", () => {
    const long = JSON.stringify({ type: "project.scan.request", id: "m3", group: "g", project: "p", pad: "x".repeat(1000) });
    const rows = parkedRows(
      [
        parked("m1", "2026-12-01T10:00:00.000Z", "not json"),
        { _id: "deadletter:broken", type: "deadletter" }, // not a whole document: left out
        parked("m3", "2026-12-03T10:00:00.000Z", long),
        parked("m2", "2026-12-02T10:00:00.000Z", "{}"),
      ],
      2,
    );
    expect(rows.map((r) => r.at)).toEqual(["2026-12-03T10:00:00.000Z", "2026-12-02T10:00:00.000Z"]);
    expect(rows[0]).toMatchObject({ id: "m3", group: "g", project: "p", selector: "project.scan.request" });
    expect(rows[0]?.preview.length).toBe(300);
    expect(rows[0]?.preview.endsWith("…")).toBe(true);
    expect(rows[1]?.group).toBeUndefined();
  });

  it("reads a bounded number of documents from the store and says when there may be more", async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 3; i++) await store.put(parked(`m${i}`, `2026-12-0${i + 1}T00:00:00.000Z`, "garbage"));
    const few = await parkedView(store, 20);
    expect(few).toMatchObject({ count: 3, more: false });
    expect(few.rows.map((r) => r.id)).toEqual(["m2", "m1", "m0"]);
    expect(few.rows.every((r) => r.reason.startsWith("not a drover message"))).toBe(true);
    for (let i = 3; i < PARKED_READ_LIMIT + 5; i++) await store.put(parked(`m${i}`, "2026-12-04T00:00:00.000Z", "garbage"));
    const many = await parkedView(store, 20);
    expect(many).toMatchObject({ count: PARKED_READ_LIMIT, more: true });
    expect(many.rows).toHaveLength(20);
  });
});
