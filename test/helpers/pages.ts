import { expect } from "vitest";
import { newProject, projectPages, type DocStore } from "@drover/shared";

/** Puts 23 projects of one group (and 3 of a group whose name starts the same) and checks the pages of 5 the store gives. */
export async function checkProjectPages(store: DocStore, group: string): Promise<void> {
  const now = new Date().toISOString();
  const codes = Array.from({ length: 23 }, (_, i) => `c${String(i).padStart(2, "0")}`);
  await store.putMany(codes.map((c) => newProject(group, c, ["/a.nc"], { format: "zarr" }, "/w", now)));
  await store.putMany(["x", "y", "z"].map((c) => newProject(`${group}2`, c, ["/a.nc"], { format: "zarr" }, "/w", now)));
  const sizes: number[] = [];
  const seen: string[] = [];
  for await (const page of projectPages(store, group, 5)) {
    sizes.push(page.length);
    seen.push(...page.map((p) => p.code));
  }
  expect(sizes).toEqual([5, 5, 5, 5, 3]);
  expect(seen).toEqual(codes);
  const whole: string[] = [];
  for await (const page of projectPages(store, `${group}2`, 3)) whole.push(...page.map((p) => p.code));
  expect(whole).toEqual(["x", "y", "z"]);
}
