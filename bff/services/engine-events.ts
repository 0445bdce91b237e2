/** Following the engine's event stream as the signed-in user. */
import { fromErrorBody } from "../../common/errors.ts";
import type { EngineEvent } from "../../common/events.ts";
import { readSse } from "../../common/sse-parser.ts";
import type { EngineClient } from "../engine-client.ts";

export type EngineEventWithSeq = EngineEvent & { seq: number };

/**
 * Opens `/v1/events?query` after the event `after` (the browser's `Last-Event-ID`). A refusal (no permission, too many streams, the
 * engine down) is thrown before the browser's stream starts, so it can be answered properly,
 * Retry-After included.
 */
export async function openEngineEvents(
  engine: EngineClient,
  query: Record<string, string>,
  opts: { after: number | undefined; signal: AbortSignal },
): Promise<ReadableStream<Uint8Array>> {
  const params = new URLSearchParams(query);
  if (opts.after !== undefined) params.set("after", String(opts.after));
  const res = await engine.raw("GET", `/v1/events?${params}`, { signal: opts.signal, timeoutMs: null });
  if (!res.ok || !res.body) {
    throw fromErrorBody(res.status, await res.json().catch(() => undefined), res.headers.get("Retry-After"));
  }
  return res.body;
}

/** Reads an opened stream until the engine ends it (the session was revoked, the engine stopped) or `signal` aborts. */
export function readEngineEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: EngineEventWithSeq) => void,
  signal: AbortSignal,
): Promise<void> {
  return readSse(body, (message) => onEvent(JSON.parse(message.data) as EngineEventWithSeq), signal);
}
