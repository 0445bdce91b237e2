/** Following the engine's event stream as the signed-in user. */
import { fromErrorBody } from "../../common/errors.ts";
import type { EngineEvent } from "../../common/events.ts";
import { readSse } from "../../common/sse-parser.ts";
import type { EngineClient } from "../engine-client.ts";

export type EngineEventWithSeq = EngineEvent & { seq: number };

/**
 * Reads `/v1/events?query` from after `lastEventId` until the engine ends the stream (the
 * session was revoked, or the engine stopped) or `signal` aborts. Errors before the stream
 * starts (no permission, engine down) are thrown, so the caller can answer them properly.
 */
export async function followEngineEvents(
  engine: EngineClient,
  query: Record<string, string>,
  opts: { lastEventId: string | undefined; signal: AbortSignal; onEvent: (e: EngineEventWithSeq) => void },
): Promise<void> {
  const params = new URLSearchParams(query);
  if (opts.lastEventId !== undefined) params.set("after", opts.lastEventId);
  const res = await engine.raw("GET", `/v1/events?${params}`, { signal: opts.signal, timeoutMs: null });
  if (!res.ok || !res.body) throw fromErrorBody(res.status, await res.json().catch(() => undefined));
  return readSse(res.body, (message) => opts.onEvent(JSON.parse(message.data) as EngineEventWithSeq), opts.signal);
}
