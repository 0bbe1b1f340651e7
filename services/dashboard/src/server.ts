import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { basename } from "node:path";
import type { Bus, DocStore, Logger } from "@drover/shared";
import { runAction } from "./actions.js";
import { requireToken } from "./http/auth.js";
import { HttpError, parseWith, queryOf, readJsonBody, sendJson } from "./http/respond.js";
import type { EventStreams } from "./http/sse.js";
import { serveStatic } from "./http/static.js";
import { ActionBody, ArtifactParams, BoardParams, BusParams, ChartsParams, OverviewParams, ProjectParams } from "./params.js";
import { board } from "./views/board.js";
import type { QueueSource } from "./views/bus-queues.js";
import { parkedView } from "./views/parked.js";
import { charts } from "./views/charts.js";
import { overview } from "./views/overview.js";
import { artifactPath, projectPage } from "./views/project.js";

// The dashboard's HTTP server: the page (static files), the JSON API the page reads, the event
// stream that keeps it live, and the actions (POST, with the token).

export interface ServerDeps {
  store: DocStore;
  bus: Bus;
  queues: QueueSource;
  events: EventStreams;
  lastActivity: ReadonlyMap<string, string>;
  token: string | undefined;
  publicDir: string;
  log: Logger;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

function routes(d: ServerDeps): Record<string, Route> {
  const json = (f: (url: URL) => Promise<unknown>): Route => async (_req, res, url) => sendJson(res, 200, await f(url));
  return {
    "GET /api/session": json(async () => ({ actions: d.token !== undefined })),
    "GET /api/overview": json((url) => overview(d.store, parseWith(OverviewParams, queryOf(url), "overview query"), d.lastActivity)),
    "GET /api/board": json((url) => board(d.store, parseWith(BoardParams, queryOf(url), "board query"))),
    "GET /api/project": json((url) => {
      const q = parseWith(ProjectParams, queryOf(url), "project query");
      return projectPage(d.store, q.group, q.project);
    }),
    "GET /api/charts": json((url) => charts(d.store, parseWith(ChartsParams, queryOf(url), "charts query").group)),
    "GET /api/bus": json(async (url) => {
      const { peek } = parseWith(BusParams, queryOf(url), "bus query");
      const [queues, parked] = await Promise.all([d.queues.view(peek), parkedView(d.store, peek)]);
      return { ...queues, parked };
    }),
    "GET /api/artifact": async (_req, res, url) => {
      const q = parseWith(ArtifactParams, queryOf(url), "artifact query");
      const path = await artifactPath(d.store, q.group, q.project, q.kind);
      res.writeHead(200, {
        "Content-Type": path.endsWith(".json") ? "application/json; charset=utf-8" : "application/octet-stream",
        "Content-Disposition": `inline; filename="${basename(path).replace(/"/g, "")}"`,
        "Cache-Control": "no-store",
      });
      createReadStream(path).pipe(res);
    },
    "GET /api/events": async (req, res) => d.events.open(req, res),
    "POST /api/actions": async (req, res) => {
      // The token first: without it, nothing is read and nothing is sent.
      requireToken(req, d.token);
      const action = parseWith(ActionBody, await readJsonBody(req), "action");
      const result = await runAction(d.store, d.bus, action);
      d.log.info({ group: action.group, project: action.project, action: action.action, by: `dashboard:${action.operator}` }, `${action.action}: ${result.done} done, ${result.refused} refused`);
      sendJson(res, 200, result);
    },
  };
}

export function createDashboardServer(d: ServerDeps): Server {
  const table = routes(d);
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const route = table[`${req.method} ${url.pathname}`];
    const handle = async () => {
      if (route) return route(req, res, url);
      if (url.pathname.startsWith("/api/")) {
        const other = Object.keys(table).find((k) => k.endsWith(` ${url.pathname}`));
        throw new HttpError(other ? 405 : 404, other ? `${url.pathname} takes ${other.split(" ")[0]}` : `no API ${url.pathname}`);
      }
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "the page is read with GET");
      serveStatic(res, d.publicDir, url.pathname);
    };
    handle().catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status >= 500) d.log.error({ err: (e as Error).stack ?? String(e), path: url.pathname }, "request failed");
      if (res.headersSent) return void res.end();
      sendJson(res, status, { error: (e as Error).message }, e instanceof HttpError ? e.headers : {});
    });
  });
}
