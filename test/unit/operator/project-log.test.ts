import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Logger } from "@drover/shared";
import { openProjectLog, projectLogPath } from "../../../shared/src/service/project-log.js";

/** A logger that remembers what it was given, with its bindings. */
function recorder(lines: object[], bindings: Record<string, unknown> = {}): Logger {
  const put = (level: string) => (o: object | string, m?: string) => lines.push({ level, ...bindings, ...(typeof o === "string" ? { msg: o } : { ...o, msg: m }) });
  return { debug: put("debug"), info: put("info"), warn: put("warn"), error: put("error"), child: (b) => recorder(lines, { ...bindings, ...b }) };
}

describe("a project's own log", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-project-log-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the task's lines to <workDir>/logs/<phase>.log as pino JSON, appended, and to the service's log", async () => {
    const service: object[] = [];
    const file = projectLogPath(join(dir, "work", "g", "p"), "scan");
    expect(file).toBe(join(dir, "work", "g", "p", "logs", "scan.log"));
    const bindings = { group: "g", project: "p", attempt: 1, phase: "scan" };
    for (const attempt of [1, 2]) {
      const log = openProjectLog(recorder(service), file, { service: "scanner", level: "info", bindings: { ...bindings, attempt } });
      log.log.info(`scan started (attempt ${attempt})`);
      log.log.debug("not at level info");
      log.log.error({ kind: "SourceFormatError", file: "/d/b.nc" }, "scan failed");
      await log.close();
    }
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l["name"], l["level"], l["attempt"], l["msg"]])).toEqual([
      ["scanner", 30, 1, "scan started (attempt 1)"],
      ["scanner", 50, 1, "scan failed"],
      ["scanner", 30, 2, "scan started (attempt 2)"],
      ["scanner", 50, 2, "scan failed"],
    ]);
    expect(lines[1]).toMatchObject({ group: "g", project: "p", phase: "scan", kind: "SourceFormatError", file: "/d/b.nc" });
    expect(typeof lines[0]?.["time"]).toBe("number");
    // The service's own log got every line too, with the task's bindings.
    expect(service).toHaveLength(6);
    expect(service[0]).toMatchObject({ level: "info", group: "g", project: "p", phase: "scan", msg: "scan started (attempt 1)" });
  });

  it("appends a running task's lines within about a second, before the task ends", async () => {
    const file = projectLogPath(join(dir, "work", "g", "long"), "scan");
    const log = openProjectLog(recorder([]), file, { service: "scanner", level: "info", bindings: { project: "long" } });
    log.log.info("scan: 10/20000 files");
    await new Promise((r) => setTimeout(r, 1300));
    expect(readFileSync(file, "utf8")).toContain("scan: 10/20000 files");
    log.log.info("scan succeeded");
    await log.close();
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("goes on without the file when it cannot be written, and says so once on the service's log", async () => {
    const service: object[] = [];
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "");
    const log = openProjectLog(recorder(service), join(blocker, "logs", "scan.log"), { service: "scanner", level: "info", bindings: {} });
    log.log.info("still logged on the service");
    await log.close();
    expect(service).toContainEqual(expect.objectContaining({ msg: "still logged on the service" }));
    expect(service.filter((l) => String((l as { msg?: string }).msg).includes("cannot write the project's log"))).toHaveLength(1);
  });
});
