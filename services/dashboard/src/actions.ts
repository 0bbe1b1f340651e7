import { askEach, isFailed, readGroup, retryPick, selectProjects, type Bus, type BodyInput, type DocStore, type ProjectDoc, type ProjectRequest } from "@drover/shared";
import { HttpError } from "./http/respond.js";
import type { ActionBody } from "./params.js";
import { findProject } from "./views/project.js";

// The page's buttons: the same requests as the CLI's commands, through the same shared code
// (selectProjects + askEach), answered by the state-tracker, recorded in each project's history
// with "dashboard:<name>" as who did it.

export interface ActionResult {
  action: ActionBody["action"];
  answers: { project: string; outcome: string; state?: string | undefined; message: string }[];
  done: number;
  refused: number;
}

/** The request an action sends, with its body. */
function request(a: ActionBody, by: string): { type: ProjectRequest; body: BodyInput<ProjectRequest> } {
  switch (a.action) {
    case "retry":
      return { type: "project.retry.request", body: { by, ...(a.phase ? { phase: a.phase } : {}) } };
    case "accept":
      return { type: "project.accept.request", body: { by, note: a.note } };
    case "reject":
      return { type: "project.reject.request", body: { by, note: a.note } };
    case "faultlist":
      return { type: "project.faultlist.request", body: { by, reason: a.reason } };
    case "unfaultlist":
      return { type: "project.unfaultlist.request", body: { by } };
    case "quarantine":
      return { type: "project.quarantine.request", body: { by, reason: a.reason } };
    case "release":
      return { type: "project.release.request", body: { by } };
  }
}

/** Which of a group's projects an action without a project picks: the given state, else the CLI's default. */
function pickFor(a: ActionBody): (p: ProjectDoc) => boolean {
  if (a.action === "retry") return retryPick(a.state);
  if (a.state) return (p) => p.state === a.state;
  switch (a.action) {
    case "accept":
    case "reject":
      return (p) => p.state === "ValidatedWithWarnings";
    case "quarantine":
      return (p) => isFailed(p.state);
    case "release":
      return (p) => p.state === "Quarantined";
    case "unfaultlist":
      return (p) => p.state === "Faultlisted";
    case "faultlist":
      throw new HttpError(400, "faultlisting a whole group needs a state: say which projects (state) or name one (project)");
  }
}

export async function runAction(store: DocStore, bus: Bus, a: ActionBody, timeoutSeconds = 60): Promise<ActionResult> {
  if (!(await readGroup(store, `group:${a.group}`))) throw new HttpError(404, `no group ${a.group}`);
  let codes: string[];
  if (a.project !== undefined) {
    await findProject(store, a.group, a.project);
    codes = [a.project];
  } else {
    codes = await selectProjects(store, a.group, pickFor(a));
  }
  const { type, body } = request(a, `dashboard:${a.operator}`);
  let answers;
  try {
    answers = await askEach(bus, type, a.group, codes, body, timeoutSeconds);
  } catch (e) {
    throw new HttpError(504, (e as Error).message);
  }
  const refused = answers.filter((x) => x.answer.outcome === "refused").length;
  return {
    action: a.action,
    answers: answers.map(({ project, answer }) => ({ project, outcome: answer.outcome, state: answer.state, message: answer.message })),
    done: answers.length - refused,
    refused,
  };
}
