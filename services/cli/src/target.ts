import { projectId, readProject, type DocStore, type ProjectDoc } from "@drover/shared";
import { usageLine, UsageError, type Command } from "./command.js";
import type { Context } from "./context.js";
import { didYouMean } from "./suggest.js";
import { needGroup } from "./commands/watch.js";

// Which project a command is about: `<group>/<project>` or `<group> <project>`, looked up with a
// "did you mean" when the group or the project is not there.

export interface Target {
  group: string;
  project: string;
}

/** Reads `<group>/<project>` or `<group> <project>` from a command's positional arguments. */
export function parseTarget(positionals: string[], usage: string): Target {
  const [first = "", second] = positionals;
  const slash = first.indexOf("/");
  if (slash > 0 && second === undefined) return { group: first.slice(0, slash), project: first.slice(slash + 1) };
  if (slash === -1 && first && second) return { group: first, project: second };
  throw new UsageError(`name the project as <group>/<project> or <group> <project>, not ${JSON.stringify(positionals.join(" "))}\nusage: ${usage}`);
}

/** The project, or an error naming the closest projects of its group. */
export async function needProject(store: DocStore, { group, project }: Target): Promise<ProjectDoc> {
  const g = await needGroup(store, group);
  const p = await readProject(store, projectId(group, project));
  if (p) return p;
  const hint = didYouMean(project, g.projects);
  throw new Error(`no project ${project} in group ${group}${hint || ` (its ${g.projects.length} projects: 'drover status ${group} --json')`}`);
}

/** The project a command's positional arguments name, read from the database. */
export async function projectOf(ctx: Context, command: Command, positionals: string[]): Promise<ProjectDoc> {
  return needProject(await ctx.store(), parseTarget(positionals, usageLine(command)));
}
