import { groupId, listGroups, listProjects, readGroup, type DocStore, type GroupDoc, type Message, type ProjectDoc } from "@drover/shared";
import type { Context } from "../context.js";
import { createScreen, groupView, type LiveProgress } from "../render.js";
import { didYouMean } from "../suggest.js";

export interface WatchResult {
  group: GroupDoc;
  projects: ProjectDoc[];
  seconds: number;
}

/**
 * Shows a group's projects live until the group is Completed or Incomplete (or the timeout):
 * states from the database, chunk-level progress from the bus.
 */
export async function watchGroup(ctx: Context, name: string, options: { timeoutSeconds?: number; quiet?: boolean } = {}): Promise<WatchResult> {
  const store = await ctx.store();
  await needGroup(store, name);
  const live = new Map<string, LiveProgress>();
  try {
    const bus = await ctx.bus();
    await bus.watch(`project.*.progress`, (m: Message) => {
      if (m.group !== name || !m.project) return;
      const b = (m as Message<"project.compute.progress">).body;
      live.set(m.project, { phase: m.type.split(".")[1] ?? "", done: b.done, total: b.total, unit: b.unit });
    });
  } catch {
    // Progress bars are a nicety: states still come from the database.
  }
  const screen = createScreen();
  const t0 = Date.now();
  const deadline = options.timeoutSeconds === undefined ? Number.POSITIVE_INFINITY : t0 + options.timeoutSeconds * 1000;
  for (;;) {
    const group = await readGroup(store, groupId(name));
    const projects = group ? await listProjects(store, name) : [];
    const seconds = (Date.now() - t0) / 1000;
    if (group && !options.quiet) screen(groupView(group, projects, live, seconds));
    if (group && (group.state === "Completed" || group.state === "Incomplete")) return { group, projects, seconds };
    if (!group) throw new Error(`group ${name} was removed while being watched`);
    if (Date.now() > deadline) return { group, projects, seconds };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The group, or an error that names the groups there are (the closest first). */
export async function needGroup(store: DocStore, name: string): Promise<GroupDoc> {
  const g = await readGroup(store, groupId(name));
  if (g) return g;
  const names = (await listGroups(store)).map((x) => x.name);
  const hint = didYouMean(name, names) || (names.length > 0 ? ` (there are ${names.length}: see 'drover status')` : " (there are none yet: 'drover launch <group-file.csv>')");
  throw new Error(`no group called ${name}${hint}`);
}
