import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { openChecked } from "../../shared/src/formats/read-layout.js";
import { sourceOpenError, type DroverError } from "../../shared/src/errors.js";

// A source that cannot be opened: named, with the fix, and retried only when retrying can help.

const thrown = (f: () => unknown): DroverError => {
  try {
    f();
  } catch (e) {
    return e as DroverError;
  }
  throw new Error("expected an error");
};

describe("a source that cannot be opened", () => {
  it("is permanent when permissions stop it, and retried only for I/O hiccups", () => {
    const denied = sourceOpenError("/a/b.nc", Object.assign(new Error("EACCES: permission denied, open '/a/b.nc'"), { code: "EACCES" }));
    expect([denied.kind, denied.permanent, denied.file]).toEqual(["SourceNotReadableError", true, "/a/b.nc"]);
    expect(denied.message).toContain("read access");
    const busy = sourceOpenError("/a/b.nc", Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    expect([busy.kind, busy.permanent]).toEqual(["TransientError", false]);
    expect(sourceOpenError("/a/b.nc", Object.assign(new Error("ENOENT"), { code: "ENOENT" })).kind).toBe("SourceNotFoundError");
  });

  it("refuses a directory and a FIFO at once, naming them, instead of a bare EISDIR or waiting for a writer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-open-"));
    try {
      mkdirSync(join(dir, "d.nc"));
      const d = thrown(() => openChecked(join(dir, "d.nc")));
      expect([d.kind, d.permanent]).toEqual(["SourceNotReadableError", true]);
      expect(d.message).toContain(`${join(dir, "d.nc")} is a directory`);
      await new Promise<void>((resolve, reject) => spawn("mkfifo", [join(dir, "f.nc")]).on("close", (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo ${code}`)))));
      const f = thrown(() => openChecked(join(dir, "f.nc")));
      expect(f.kind).toBe("SourceNotReadableError");
      expect(f.message).toContain("not a regular file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
