/**
 * The outbox as server-sent events. Readers follow `seq`, so a client resumes exactly where it
 * left off with `Last-Event-ID`; a comment line every `heartbeatMs` keeps proxies open.
 */
import type { Request, Response } from "express";
import { InputError } from "../../common/errors.ts";
import type { EngineContext } from "../context.ts";
import type { EventFilter, EventRow } from "../store/events-repo.ts";
import { TOPICS } from "./bus.ts";

export type SseOptions = { heartbeatMs: number; batch: number };

export function lastEventId(req: Request): number | undefined {
  const raw = req.get("Last-Event-ID") ?? (typeof req.query.after === "string" ? req.query.after : undefined);
  if (raw === undefined || raw === "") return undefined;
  const seq = Number(raw);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new InputError("Last-Event-ID must be an event seq", undefined, "invalid_event_id");
  return seq;
}

export function formatEvent(row: EventRow): string {
  const data = {
    seq: row.seq,
    type: row.type,
    at: new Date(Number(row.created_at)).toISOString(),
    ...JSON.parse(row.payload),
  };
  return `id: ${row.seq}\nevent: ${row.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Streams events matching `filter` after `afterSeq` (or from now) until the client goes away. */
export async function streamEvents(
  ctx: EngineContext,
  res: Response,
  filter: EventFilter,
  afterSeq: number | undefined,
  options: SseOptions = { heartbeatMs: 15_000, batch: 1000 },
): Promise<void> {
  let last = afterSeq ?? (await ctx.store.events.lastSeq());
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  ctx.shutdown.addEventListener("abort", () => abort.abort(), { once: true, signal: abort.signal });
  // A stream's connection is not reused: when the stream ends, the socket closes.
  res.shouldKeepAlive = false;
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.write("retry: 2000\n\n");
  let lastWrite = Date.now();
  while (!abort.signal.aborted) {
    const quietFor = Date.now() - lastWrite;
    if (quietFor >= options.heartbeatMs) {
      res.write(": heartbeat\n\n");
      lastWrite = Date.now();
    }
    const woken = ctx.bus.wait(TOPICS.events, options.heartbeatMs - (Date.now() - lastWrite), abort.signal);
    const rows = await ctx.store.events.read({ afterSeq: last, filter, limit: options.batch });
    if (rows.length > 0) {
      const ok = res.write(rows.map(formatEvent).join(""));
      last = (rows[rows.length - 1] as EventRow).seq;
      lastWrite = Date.now();
      if (!ok) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      continue;
    }
    await woken;
  }
  res.end();
}
