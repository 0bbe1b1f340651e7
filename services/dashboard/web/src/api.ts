import type { ActionResult } from "../../src/actions.js";
import type { ActionBody } from "../../src/params.js";
import type { Board } from "../../src/views/board.js";
import type { BusView } from "../../src/views/bus-queues.js";
import type { Charts } from "../../src/views/charts.js";
import type { Overview } from "../../src/views/overview.js";
import type { ParkedView } from "../../src/views/parked.js";
import type { ProjectPage } from "../../src/views/project.js";

// The dashboard's JSON API, typed by the server's own types (erased at build time).

export type { ActionResult, Board, BusView, Charts, Overview, ProjectPage };
export type { Card } from "../../src/views/card.js";
export type { GroupRow } from "../../src/views/overview.js";
export type ActionRequest = ActionBody;
/** The bus page: the queues (from the broker) and the parked messages (from the database). */
export type BusPage = BusView & { parked: ParkedView };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(path, init);
  const body = (await r.json().catch(() => ({ error: `HTTP ${r.status}` }))) as T & { error?: string };
  if (!r.ok) throw new ApiError(r.status, body.error ?? `HTTP ${r.status}`);
  return body;
}

/** A query string of the parameters that are set. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

type Filter = { group?: string | undefined; state?: string | undefined; text?: string | undefined };

export const api = {
  session: () => call<{ actions: boolean }>("/api/session"),
  overview: (p: Filter) => call<Overview>(`/api/overview${query(p)}`),
  board: (p: Filter & { limit?: number | undefined }) => call<Board>(`/api/board${query(p)}`),
  project: (group: string, project: string) => call<ProjectPage>(`/api/project${query({ group, project })}`),
  charts: (group?: string) => call<Charts>(`/api/charts${query({ group })}`),
  bus: () => call<BusPage>("/api/bus"),
  act: (body: Record<string, unknown>, token: string) =>
    call<ActionResult>("/api/actions", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }),
};

export function artifactUrl(group: string, project: string, kind: string): string {
  return `/api/artifact${query({ group, project, kind })}`;
}
