/** Following the engine's event stream as the signed-in user. */
import type { EngineClient } from "../../common/engine-client.ts";

/**
 * Opens `/v1/events?query` after the event `after` (the browser's `Last-Event-ID`). A refusal (no permission, too many streams, the
 * engine down) is thrown before the browser's stream starts, so it can be answered properly,
 * Retry-After included.
 */
export function openEngineEvents(
  engine: EngineClient,
  query: { project?: string; pipeline?: string; operation?: string; types: string },
  opts: { after: number | undefined; signal: AbortSignal },
): Promise<ReadableStream<Uint8Array>> {
  const after = opts.after === undefined ? undefined : String(opts.after);
  return engine.stream("events", { query: { ...query, after } }, { signal: opts.signal });
}
