import type { GroupDoc, LaunchProject, ProjectDoc } from "../documents.js";
import type { Body } from "../messages.js";
import { canMove } from "../lifecycle.js";
import { move, type RuleContext } from "./project-rules.js";
import { newGroup, startGroupOver } from "./group-rules.js";

// What a registration changes, as pure decisions: the group document, and which listed projects
// are written (new, or registered anew) and which known ones retire. Three modes:
// add (the default: new projects join, known ones are left alone), replace (everything starts
// over, unlisted projects are removed) and sync (the shepherd's: the group follows its file —
// new projects join, those whose file list changed start over, unlisted ones retire).

export type RegisterBody = Body<"group.register.request">;

export function registeredGroup(cur: GroupDoc | undefined, name: string, body: RegisterBody, codes: string[], now: string, event: string, ctx: RuleContext): GroupDoc | undefined {
  const extra = { driver: body.driver, ...(body.completeDir ? { completeDir: body.completeDir } : {}), ...(body.fileHash ? { fileHash: body.fileHash } : {}) };
  if (!cur) return { ...newGroup(name, body.groupFile, codes, now), ...extra };
  if (body.replace) return { ...startGroupOver(cur, body.groupFile, codes, event, ctx), ...extra };
  const known = new Set(cur.projects);
  const fresh = codes.filter((c) => !known.has(c));
  const sameSettings = cur.driver === body.driver && (!body.completeDir || cur.completeDir === body.completeDir) && cur.groupFile === body.groupFile && cur.fileHash === body.fileHash;
  if (fresh.length === 0 && sameSettings) return undefined;
  return { ...cur, ...extra, groupFile: body.groupFile, projects: [...cur.projects, ...fresh], updatedAt: now };
}

/**
 * Whether a listed project's file list differs from the registered one. Its config is not
 * compared: an operator's overrides (`drover retry --set`) live in the document and must survive
 * a re-read of the group file.
 */
export function projectChanged(cur: Pick<ProjectDoc, "files">, listed: Pick<LaunchProject, "files">): boolean {
  return cur.files.length !== listed.files.length || cur.files.some((f, i) => f !== listed.files[i]);
}

export interface RegistrationPlan {
  /** Listed projects to write: new ones, and known ones registered anew. */
  write: LaunchProject[];
  /** Known projects no longer listed: removed (replace) or retired (sync). */
  unlisted: ProjectDoc[];
  /** Known projects left as they are. */
  kept: ProjectDoc[];
}

export function planRegistration(body: Pick<RegisterBody, "replace" | "sync">, listed: LaunchProject[], existing: Map<string, ProjectDoc>): RegistrationPlan {
  const write: LaunchProject[] = [];
  const kept: ProjectDoc[] = [];
  for (const p of listed) {
    const cur = existing.get(p.code);
    if (!cur || body.replace || (body.sync && (projectChanged(cur, p) || retired(cur)))) write.push(p);
    else kept.push(cur);
  }
  const names = new Set(listed.map((p) => p.code));
  const unlisted = body.replace || body.sync ? [...existing.values()].filter((p) => !names.has(p.code)) : [];
  return { write, unlisted, kept };
}

const RETIRED = "retired: no longer listed in ";

/** Retired by an earlier sync: listed again, it is registered anew. */
export function retired(doc: Pick<ProjectDoc, "state" | "faultlistReason">): boolean {
  return doc.state === "Faultlisted" && (doc.faultlistReason ?? "").startsWith(RETIRED);
}

/** A project no longer in its group file leaves the group's completion (faultlisted, its history kept). */
export function retire(doc: ProjectDoc, groupFile: string, event: string, ctx: RuleContext): ProjectDoc | undefined {
  if (doc.state === "Faultlisted" || !canMove(doc.state, "Faultlisted")) return undefined;
  const reason = `${RETIRED}${groupFile}`;
  return { ...move(doc, "Faultlisted", event, reason, ctx), faultlistReason: reason };
}
