import { describe, expect, it } from "vitest";
import { loadConfig } from "@drover/shared";

describe("the task threads' settings", () => {
  it("default to one thread per prefetched message and an hour per task", () => {
    const c = loadConfig({});
    expect(c.taskThreads).toBeUndefined();
    expect(c.taskTimeout).toBe(3600);
  });

  it("are read from DROVER_TASK_THREADS and DROVER_TASK_TIMEOUT (seconds, fractions allowed)", () => {
    const c = loadConfig({ DROVER_TASK_THREADS: "3", DROVER_TASK_TIMEOUT: "90.5" });
    expect(c.taskThreads).toBe(3);
    expect(c.taskTimeout).toBe(90.5);
  });

  it("stop on values no pool can have, naming the variable", () => {
    expect(() => loadConfig({ DROVER_TASK_THREADS: "0" })).toThrow(/DROVER_TASK_THREADS="0": must be at least 1/);
    expect(() => loadConfig({ DROVER_TASK_TIMEOUT: "0" })).toThrow(/DROVER_TASK_TIMEOUT="0": must be more than 0 seconds/);
    expect(() => loadConfig({ DROVER_TASK_TIMEOUT: "an hour" })).toThrow(/DROVER_TASK_TIMEOUT="an hour": must be a number of seconds/);
    expect(() => loadConfig({ DROVER_TASK_TIMEOUT: "9999999" })).toThrow(/DROVER_TASK_TIMEOUT="9999999": must be at most 2147483 seconds/);
  });
});
