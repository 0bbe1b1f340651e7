import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyAtomic, replaceDir } from "../../shared/src/fsutil.js";

// Publishing replaces an earlier copy of the same kind. A file never takes the place of a
// directory (nor a directory of a file): that would remove what drover did not write.

const root = mkdtempSync(join(tmpdir(), "drover-replace-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dirWith(path: string, name: string, text: string): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, name), text);
  return path;
}

describe("replaceDir and copyAtomic", () => {
  it("replace an earlier directory with a directory and an earlier file with a file", () => {
    const target = dirWith(join(root, "a", "out.zarr"), "old", "1");
    replaceDir(dirWith(join(root, "a", "new"), "new", "2"), target);
    expect(readdirSync(target)).toEqual(["new"]);
    writeFileSync(join(root, "a", "out.json"), "old");
    writeFileSync(join(root, "a", "src.json"), "new");
    copyAtomic(join(root, "a", "src.json"), join(root, "a", "out.json"));
    expect(readFileSync(join(root, "a", "out.json"), "utf8")).toBe("new");
  });

  it("refuse a file over a directory, keeping the directory and leaving no temporary behind", () => {
    const dir = join(root, "b");
    const target = dirWith(join(dir, "out.json.inventory.json"), "precious", "keep");
    writeFileSync(join(dir, "inventory.json"), "{}");
    expect(() => copyAtomic(join(dir, "inventory.json"), target)).toThrow(/is a directory.*refused/);
    expect(readFileSync(join(target, "precious"), "utf8")).toBe("keep");
    expect(readdirSync(dir).sort()).toEqual(["inventory.json", "out.json.inventory.json"]);
  });

  it("refuse a directory over a file", () => {
    const dir = join(root, "c");
    mkdirSync(dir);
    writeFileSync(join(dir, "out.zarr"), "a file");
    expect(() => replaceDir(dirWith(join(dir, "new"), "x", "1"), join(dir, "out.zarr"))).toThrow(/is a file.*refused/);
    expect(readFileSync(join(dir, "out.zarr"), "utf8")).toBe("a file");
  });

  it("replace a symbolic link, whatever it points at, and leave its target alone", () => {
    const dir = join(root, "d");
    const elsewhere = dirWith(join(dir, "elsewhere"), "kept", "1");
    symlinkSync(elsewhere, join(dir, "out.json"));
    writeFileSync(join(dir, "src.json"), "new");
    copyAtomic(join(dir, "src.json"), join(dir, "out.json"));
    expect(readFileSync(join(dir, "out.json"), "utf8")).toBe("new");
    expect(readdirSync(elsewhere)).toEqual(["kept"]);
  });
});
