/**
 * The outbox as server-sent events. Readers follow `seq`, so a client resumes exactly where it
 * left off with `Last-Event-ID`; a comment line every `heartbeatMs` keeps proxies open.
 */

import type { Response } from "express";
import { openSse, type SseMessage } from "../../common/sse.ts";
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import type { EventFilter, EventRow } from "../store/events-repo.ts";
import type { PipelineName } from "../store/pipeline-names.ts";

export type StreamOptions = {
  heartbeatMs: number;
  batch: number;
  /**
   * The reader's right to read, re-checked whenever `changed` is published on the bus (an
   * identity event, from this or another replica), when the token expires, and at each
   * heartbeat. The stream ends as soon as `stillAuthorized` says no.
   */
  access?: { stillAuthorized: () => Promise<boolean>; changed: string; expiresAt?: number | null | undefined };
};

/** The longest timer Node keeps (about 24 days); a later expiry is re-checked at heartbeats meanwhile. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An outbox row as an SSE message. What the row's columns say (when, which build, operation,
 * project and pipeline) is added here, so payloads need not repeat it.
 */
export function toMessage(row: EventRow, names: Map<number, PipelineName>): SseMessage {
  const name = row.pipeline_id === null ? undefined : names.get(row.pipeline_id);
  const data = {
    seq: row.seq,
    type: row.type,
    at: new Date(Number(row.created_at)).toISOString(),
    ...(name ? { project: name.project, pipeline: name.pipeline } : {}),
    ...(row.build_id !== null ? { buildId: row.build_id } : {}),
    ...(row.operation_id !== null ? { operationId: row.operation_id } : {}),
    ...JSON.parse(row.payload),
  };
  return { id: row.seq, event: row.type, data };
}

/** Streams events matching `filter` after `afterSeq` (or from now) until the client goes away. */
export async function streamEvents(
  ctx: EngineContext,
  res: Response,
  filter: EventFilter,
  afterSeq: number | undefined,
  options: StreamOptions,
): Promise<void> {
  let last = afterSeq ?? (await ctx.store.events.lastSeq());
  const sse = openSse(res, { heartbeatMs: options.heartbeatMs, shutdown: ctx.shutdown });
  // Set by an identity event or the token's expiry: the next turn re-checks before reading more.
  let recheck = false;
  let wake = new AbortController();
  const accessChanged = () => {
    recheck = true;
    wake.abort();
  };
  sse.signal.addEventListener("abort", () => wake.abort(), { once: true });
  const access = options.access;
  const unsubscribe = access ? ctx.bus.subscribe(access.changed, accessChanged) : () => {};
  const expiry =
    access?.expiresAt != null
      ? setTimeout(accessChanged, Math.min(MAX_TIMER_MS, Math.max(0, access.expiresAt - ctx.now()) + 1))
      : undefined;
  let lastCheck = Date.now();
  const closed = ctx.metrics.streamOpened();
  try {
    while (!sse.signal.aborted) {
      const due = Date.now() - lastCheck >= options.heartbeatMs;
      if (recheck || due) {
        recheck = false;
        lastCheck = Date.now();
        if (access && !(await access.stillAuthorized())) break;
      }
      wake = new AbortController();
      const woken = ctx.bus.wait(TOPICS.events, options.heartbeatMs - (Date.now() - lastCheck), wake.signal);
      const rows = await ctx.store.events.read({ afterSeq: last, filter, limit: options.batch });
      if (rows.length > 0) {
        const names = await ctx.names.get(
          ctx.store,
          rows.flatMap((r) => (r.pipeline_id === null ? [] : [r.pipeline_id])),
        );
        last = (rows[rows.length - 1] as EventRow).seq;
        await sse.send(rows.map((r) => toMessage(r, names)));
        continue;
      }
      await woken;
    }
  } finally {
    closed();
    unsubscribe();
    clearTimeout(expiry);
  }
  sse.end();
}
