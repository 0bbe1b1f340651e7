import type { Bus } from "../bus.js";
import type { ProjectDoc } from "../documents.js";
import { isFailed, type ProjectState } from "../lifecycle.js";
import type { BodyInput, ProjectRequest } from "../messages.js";
import { projectPages, type DocStore } from "../store.js";
import { askTracker, type Answer } from "./ask.js";

// The operator's actions on many projects, one code for every front end (the CLI's commands and
// the dashboard's buttons): pick a group's projects a page at a time, then send one request per
// project to the state-tracker and collect its answers. Only the state-tracker changes state.

/** A project's answer from the state-tracker. */
export interface ProjectAnswer {
  project: string;
  answer: Answer;
}

/** Codes of the group's projects that `pick` selects, read a page at a time (never the whole group at once). */
export async function selectProjects(store: DocStore, group: string, pick: (p: ProjectDoc) => boolean): Promise<string[]> {
  const codes: string[] = [];
  for await (const page of projectPages(store, group)) for (const p of page) if (pick(p)) codes.push(p.code);
  return codes;
}

/** The projects a retry of a whole group picks: those in `state`, by default every failed one and every one with warnings. */
export function retryPick(state: ProjectState | undefined): (p: ProjectDoc) => boolean {
  return (p) => (state ? p.state === state : isFailed(p.state) || p.state === "ValidatedWithWarnings");
}

/**
 * Sends one request per project, one after the other, and collects the answers; `onAnswer` sees
 * each as it comes. A state-tracker that does not answer within `timeoutSeconds` stops the run with
 * its error (the request stays queued).
 */
export async function askEach<S extends ProjectRequest>(
  bus: Bus,
  type: S,
  group: string,
  codes: readonly string[],
  body: BodyInput<S>,
  timeoutSeconds: number,
  onAnswer?: (a: ProjectAnswer) => void,
): Promise<ProjectAnswer[]> {
  const out: ProjectAnswer[] = [];
  for (const project of codes) {
    const a = { project, answer: await askTracker(bus, type, { group, project }, body, timeoutSeconds) };
    onAnswer?.(a);
    out.push(a);
  }
  return out;
}
