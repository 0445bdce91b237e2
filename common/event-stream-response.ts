/** Starting a `text/event-stream` response (engine and BFF): headers that keep proxies from buffering, and the client's retry delay. */
import type { ServerResponse } from "node:http";

export function startEventStream(res: ServerResponse): void {
  // A stream's connection is not reused: when the stream ends, the socket closes.
  res.shouldKeepAlive = false;
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.write("retry: 2000\n\n");
}
