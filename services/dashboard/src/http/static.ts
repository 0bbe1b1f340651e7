import { createReadStream, existsSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { HttpError } from "./respond.js";

// The page itself: files of the built front end (dist/public), served by the dashboard (no dev
// server, no CDN). Paths are kept inside that directory.

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

export function serveStatic(res: ServerResponse, root: string, pathname: string): void {
  const rel = normalize(decodeURIComponent(pathname === "/" ? "/index.html" : pathname)).replace(/^([/\\])+/, "");
  const file = join(root, rel);
  if (!(file === root || file.startsWith(root + sep))) throw new HttpError(404, `no such file: ${pathname}`);
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (pathname === "/" || pathname === "/index.html") throw new HttpError(500, `the page is not built (${file} is missing): run 'npm run build'`);
    throw new HttpError(404, `no such file: ${pathname}`);
  }
  res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
  createReadStream(file).pipe(res);
}
