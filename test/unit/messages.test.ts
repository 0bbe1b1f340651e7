import { describe, expect, it } from "vitest";
import { catalogue, consumes, createMessage, isDroverError, parseMessage, selectors } from "@drover/shared";

const scanBody = { files: ["/data/a.nc"], config: { format: "zarr" as const }, workDir: "/work/p" };

describe("the message catalogue", () => {
  it("builds messages with a full envelope checked against the selector's schema", () => {
    const m = createMessage("project.scan.request", { group: "g", project: "p", attempt: 2 }, scanBody, "test@host:1");
    expect(m).toMatchObject({ type: "project.scan.request", group: "g", project: "p", phase: "scan", attempt: 2, sender: "test@host:1" });
    expect(m.correlationId).toBe(m.id);
    expect(new Date(m.sentAt).toString()).not.toBe("Invalid Date");
    expect(parseMessage("project.scan.request", JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it("refuses to build a message whose body breaks its schema, naming the field", () => {
    expect(() => createMessage("project.scan.request", { group: "g", project: "p" }, { ...scanBody, files: [] }, "t")).toThrow(/files: a project needs at least one file/);
    expect(() => createMessage("project.scan.request", { group: "g", project: "p" }, { ...scanBody, workDir: "relative" }, "t")).toThrow(/workDir: must be an absolute path/);
  });

  it("rejects a mislabelled message, a bad envelope and a bad body with a MessageError", () => {
    const m = createMessage("project.scan.request", { group: "g", project: "p" }, scanBody, "t");
    const cases: Array<[unknown, RegExp]> = [
      [{ ...m, type: "project.compute.request" }, /says its type is "project.compute.request"/],
      [{ ...m, id: "x" }, /bad envelope: id:/],
      [{ ...m, group: "../etc" }, /bad envelope: group:/],
      [{ ...m, body: { files: "a.nc" } }, /bad body: files:/],
      ["not an object", /bad envelope/],
    ];
    for (const [raw, re] of cases) {
      try {
        parseMessage("project.scan.request", raw);
        expect.unreachable();
      } catch (e) {
        expect(isDroverError(e) && e.kind).toBe("MessageError");
        expect((e as Error).message).toMatch(re);
      }
    }
  });

  it("routes every consumed selector to a catalogue entry, and every request to a consumer", () => {
    for (const list of Object.values(consumes)) for (const s of list) expect(catalogue).toHaveProperty([s]);
    const requests = selectors.filter((s) => s.endsWith(".request"));
    for (const r of requests) expect(Object.values(consumes).some((l) => (l as readonly string[]).includes(r)), r).toBe(true);
  });
});
