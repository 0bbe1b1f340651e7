import type { IncomingMessage, ServerResponse } from "node:http";

// Server-sent events: every open page holds one stream; `broadcast` writes an event to all.

export interface EventStreams {
  open(req: IncomingMessage, res: ServerResponse): void;
  broadcast(event: string, data: unknown): void;
  count(): number;
  close(): void;
}

export function eventStreams(heartbeatMs = 15_000): EventStreams {
  const clients = new Set<ServerResponse>();
  // A comment line now and then: proxies and browsers keep an idle stream open.
  const beat = setInterval(() => {
    for (const c of clients) c.write(": keep-alive\n\n");
  }, heartbeatMs);
  beat.unref();
  return {
    open(req, res) {
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", "X-Accel-Buffering": "no" });
      res.write("retry: 2000\n: connected\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
    },
    broadcast(event, data) {
      const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const c of clients) c.write(text);
    },
    count: () => clients.size,
    close() {
      clearInterval(beat);
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}
