/** Writing server-sent events to the browser: headers, messages, heartbeats, the end. */

import type { Request, Response } from "express";
import { startEventStream } from "../../common/event-stream-response.ts";
import { abortOnShutdown } from "../../common/shutdown.ts";

export type SseWriter = {
  send: (event: string, data: unknown, id?: string | number) => void;
  /** Aborts when the browser goes away. */
  signal: AbortSignal;
  end: () => void;
};

/** A stream ends when the browser goes away or the BFF shuts down (`app.locals.shutdown`). */
export function openSse(res: Response, heartbeatMs = 15_000): SseWriter {
  const abort = abortOnShutdown(res.app.locals.shutdown as AbortSignal | undefined);
  res.on("close", () => abort.abort());
  startEventStream(res);
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), heartbeatMs);
  abort.signal.addEventListener("abort", () => clearInterval(heartbeat), { once: true });
  return {
    signal: abort.signal,
    send(event, data, id) {
      if (abort.signal.aborted) return;
      res.write(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    },
  };
}

export function lastEventIdOf(req: Request): string | undefined {
  const id = req.get("Last-Event-ID");
  return id && /^\d{1,19}$/.test(id) ? id : undefined;
}
