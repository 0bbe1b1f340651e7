import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DroverError, loadConfig, redactFields, redactSecrets, redactUrl, toErrorDetail } from "@drover/shared";

// Credentials never in logs or error messages: one helper, used by the logger, error details,
// the CLI's and the services' start-up messages.

const ROOT = join(import.meta.dirname, "..", "..");

describe("credentials", () => {
  it("are taken out of any text, whatever the scheme, keeping the user", () => {
    const text = "cannot reach amqp://drover:s3cret@rabbit:5672/vh and http://admin:pa%40ss@couch:5984/db; http://open:5984 is fine";
    const out = redactSecrets(text);
    expect(out).toBe("cannot reach amqp://drover:***@rabbit:5672/vh and http://admin:***@couch:5984/db; http://open:5984 is fine");
    expect(out).not.toContain("s3cret");
    expect(redactUrl("http://admin:drover@couchdb:5984")).not.toContain("drover@");
    expect(redactFields({ err: "at https://u:pw@h/x", nested: { url: "amqps://a:b@c" }, n: 1 })).toEqual({ err: "at https://u:***@h/x", nested: { url: "amqps://a:***@c" }, n: 1 });
  });

  it("are not in an error detail sent on the bus", () => {
    expect(toErrorDetail(new DroverError("TransientError", "CouchDB get x: fetch http://admin:topsecret@couch:5984/db failed")).message).not.toContain("topsecret");
    expect(toErrorDetail(new Error("amqp://guest:hunter2@h refused")).message).toContain("guest:***@");
  });

  it("are not in a config error", () => {
    expect(() => loadConfig({ COUCHDB_URL: "http://admin:topsecret@couch:5984", AMQP_URL: "amqp://u:topsecret@h", DROVER_MAX_ATTEMPTS: "x" })).toThrow(/DROVER_MAX_ATTEMPTS/);
    try {
      loadConfig({ COUCHDB_URL: "htp://admin:topsecret@couch:5984" });
    } catch (e) {
      expect((e as Error).message).not.toContain("topsecret");
    }
  });

  it("are not in any line the services' logger writes, in its message or its fields", () => {
    const script = `
      import { createLogger } from ${JSON.stringify(join(ROOT, "shared", "dist", "log.js"))};
      const log = createLogger({ name: "t", format: "json" });
      log.info({ broker: "amqp://drover:topsecret@rabbit:5672", err: { message: "GET http://admin:topsecret@couch/db" } }, "connecting to http://admin:topsecret@couch:5984");
      log.child({ url: "amqp://a:topsecret@b" }).warn("plain line");
      log.error(new Error("failed at amqp://x:topsecret@y"));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(r.stdout).not.toContain("topsecret");
    expect(r.stdout).toContain("drover:***@rabbit");
    expect(r.stdout).toContain("connecting to http://admin:***@couch:5984");
  });
});
