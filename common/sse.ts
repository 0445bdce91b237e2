/**
 * Server-sent events, written one way by the engine and the BFF: the response's headers, messages
 * with ids, heartbeats, backpressure, the end — and the one rule for where a reconnecting client
 * resumes. Hand-written: the protocol is a few lines of text, and what matters here (backpressure
 * on a slow reader, ending on shutdown with one listener for all streams) is ours to get right.
 */
import type { ServerResponse } from "node:http";
import type { Request } from "express";
import { InputError } from "./errors.ts";
import { abortOnShutdown } from "./shutdown.ts";

export type SseMessage = { event: string; data: unknown; id?: number | string | undefined };

export type SseWriter = {
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
  /** Writes the messages; resolves when the socket takes more (a slow reader holds its writer back). */
  send: (messages: SseMessage | readonly SseMessage[]) => Promise<void>;
  end: () => void;
};

export type SseOptions = {
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  /** The server's shutdown: every open stream ends with it. */
  shutdown?: AbortSignal | undefined;
};

/** Starts the `text/event-stream` response and returns its writer. */
export function openSse(res: ServerResponse, options: SseOptions): SseWriter {
  const abort = abortOnShutdown(options.shutdown);
  res.on("close", () => abort.abort());
  // A stream's connection is not reused: when the stream ends, the socket closes.
  res.shouldKeepAlive = false;
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.write("retry: 2000\n\n");
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs);
  abort.signal.addEventListener("abort", () => clearInterval(heartbeat), { once: true });
  return {
    signal: abort.signal,
    async send(messages) {
      if (abort.signal.aborted) return;
      const list = Array.isArray(messages) ? messages : [messages as SseMessage];
      if (list.length === 0) return;
      if (res.write(list.map(format).join(""))) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          abort.signal.removeEventListener("abort", done);
          resolve();
        };
        res.on("drain", done);
        abort.signal.addEventListener("abort", done, { once: true });
      });
    },
    end() {
      clearInterval(heartbeat);
      abort.abort();
      if (!res.writableEnded) res.end();
    },
  };
}

function format(m: SseMessage): string {
  return `${m.id !== undefined ? `id: ${m.id}\n` : ""}event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`;
}

/**
 * Where a client resumes: after the id in `Last-Event-ID` (a browser's reconnect) or `?after=`
 * (a client that keeps its own place); undefined for a fresh start. Ids are sequence numbers;
 * anything else is refused (400 `invalid_event_id`) rather than silently restarted.
 */
export function resumeId(req: Request): number | undefined {
  const raw = req.get("Last-Event-ID") ?? (typeof req.query.after === "string" ? req.query.after : undefined);
  if (raw === undefined || raw === "") return undefined;
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) {
    throw new InputError("Last-Event-ID must be the id of an event this stream sent", undefined, "invalid_event_id");
  }
  return id;
}
