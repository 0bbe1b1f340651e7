import { describe, it } from "vitest";
import { createMemoryStore } from "@drover/shared";
import { checkProjectPages } from "../helpers/pages.js";

describe("the memory store's project pages", () => {
  it("gives a group's projects a page at a time, in id order, each once, and no other group's", async () => {
    await checkProjectPages(createMemoryStore(), "paged");
  });
});
