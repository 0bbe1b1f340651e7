import { describe, expect, it } from "vitest";
import { loadConfig } from "@drover/shared";

describe("configuration from the environment", () => {
  it("works with no settings at all, relative to the working directory", () => {
    const c = loadConfig({}, "/srv/drover");
    expect(c.amqpUrl).toBe("amqp://guest:guest@127.0.0.1:5672");
    expect(c.couchUrl).toBe("http://127.0.0.1:5984");
    expect(c.workDir).toBe("/srv/drover/var/work");
    expect(c.completeDir).toBe("/srv/drover/var/complete");
    expect(c.dataRoots).toEqual(["/srv/drover/var/data"]);
    expect(c.autoAdvance).toBe(true);
    expect(c.maxAttempts).toBe(3);
    expect(c.lostMarginSeconds).toBe(120);
    expect(c.periodicPassMs).toBe(30_000);
  });

  it("reads every variable it documents", () => {
    const c = loadConfig(
      { DROVER_DATA_ROOTS: "/a:/b", DROVER_AUTO_ADVANCE: "no", AMQP_PREFETCH: "4", DROVER_HOME: "/h", COUCHDB_DB: "flock1" },
      "/x",
    );
    expect(c.dataRoots).toEqual(["/a", "/b"]);
    expect(c.autoAdvance).toBe(false);
    expect(c.prefetch).toBe(4);
    expect(c.workDir).toBe("/h/work");
    expect(c.couchDb).toBe("flock1");
    const lease = loadConfig({ DROVER_LOST_MARGIN: "15", DROVER_PERIODIC_PASS: "2.5" }, "/x");
    expect(lease.lostMarginSeconds).toBe(15);
    expect(lease.periodicPassMs).toBe(2500);
  });

  it("stops on a bad setting with a message naming the variable and its value", () => {
    expect(() => loadConfig({ AMQP_PREFETCH: "zero" })).toThrow(/AMQP_PREFETCH="zero": must be a number/);
    expect(() => loadConfig({ AMQP_URL: "http://x" })).toThrow(/AMQP_URL="http:\/\/x": must be a URL starting with amqp:\/\//);
    expect(() => loadConfig({ DROVER_AUTO_ADVANCE: "maybe" })).toThrow(/DROVER_AUTO_ADVANCE="maybe"/);
    expect(() => loadConfig({ DROVER_PERIODIC_PASS: "0" })).toThrow(/DROVER_PERIODIC_PASS="0": must be at least 1 second/);
    expect(() => loadConfig({ COUCHDB_DB: "Drover" })).toThrow(/COUCHDB_DB="Drover": CouchDB names start with a lowercase letter/);
  });

  it("never prints a password in its message, even in a setting that is not a valid URL", () => {
    const bad = () => loadConfig({ COUCHDB_URL: "ftp://admin:s3cret-pw@db:5984", AMQP_URL: "amqp//guest:hunter2@mq:5672" }, "/srv");
    expect(bad).toThrow(/COUCHDB_URL="ftp:\/\/admin:\*\*\*@db:5984/);
    expect(bad).toThrow(/AMQP_URL="amqp\/\/guest:\*\*\*@mq:5672"/);
    try {
      bad();
    } catch (e) {
      expect((e as Error).message).not.toMatch(/s3cret-pw|hunter2/);
    }
  });
});
