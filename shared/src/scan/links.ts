import type { FileInfo } from "../h5/describe.js";
import type { SkippedLink } from "../formats/layout.js";
import type { Issue } from "../schemas.js";
import { baseName as base } from "./file-names.js";

// Links the readers did not follow become warnings that name the file and the link: the rest of
// the file is read as usual, and the link's absence from the product is said, not discovered.


function describe(link: SkippedLink): { code: string; what: string } {
  switch (link.kind) {
    case "dangling":
      return { code: "dangling_link", what: `is a dangling soft link: it names ${link.target}, which does not exist in the file; the link is skipped` };
    case "external":
      return { code: "external_link", what: `is an external link to ${link.target} in ${link.file ?? "another file"}; drover does not follow links into other files, so it is skipped` };
    case "soft":
      return { code: "soft_link", what: `is a soft link to ${link.target}; it is not followed (${link.target} is read under its own path)` };
  }
}

/** One warning per link not followed, in every file. */
export function linkIssues(files: readonly FileInfo[]): Issue[] {
  return files.flatMap((f) =>
    (f.skippedLinks ?? []).map((link) => {
      const { code, what } = describe(link);
      return { severity: "warning" as const, code, message: `${base(f.path)}: ${link.path} ${what}`, file: f.path };
    }),
  );
}
