import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./respond.js";

// Actions need the token the dashboard was started with (DROVER_DASHBOARD_TOKEN), sent as
// "Authorization: Bearer <token>". Without a configured token the dashboard is read-only.

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Throws 403 when the dashboard is read-only or the token is wrong, 401 when none was sent. */
export function requireToken(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) throw new HttpError(403, "this dashboard is read-only: start it with DROVER_DASHBOARD_TOKEN set to allow actions");
  const header = req.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw new HttpError(401, "actions need the dashboard's token (Authorization: Bearer <DROVER_DASHBOARD_TOKEN>)", { "WWW-Authenticate": 'Bearer realm="drover"' });
  // Compared as digests: equal lengths, and no timing hint about the token.
  if (!timingSafeEqual(digest(m[1]), digest(token))) throw new HttpError(403, "wrong token: actions need the token DROVER_DASHBOARD_TOKEN holds");
}
