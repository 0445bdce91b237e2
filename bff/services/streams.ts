/**
 * What a browser's stream needs around it: a place among the user's open streams, the SSE
 * response, and following an engine stream. The user's place is taken, and any engine stream
 * opened, before the browser's stream starts: a refusal is a plain JSON error.
 */
import type { Request, Response } from "express";
import { type EngineClient, readEngineEvents } from "../../common/engine-client.ts";
import type { EngineEvent } from "../../common/events.ts";
import { openSse, type SseWriter } from "../../common/sse.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";

/** Holds one of the user's places among their open streams while `stream` runs (429 when none is left). */
export async function withStreamPlace(
  engine: EngineClient,
  slots: StreamSlots,
  stream: () => Promise<void>,
): Promise<void> {
  const { username } = await engine.call("me", {});
  const release = slots.take(username);
  try {
    await stream();
  } finally {
    release();
  }
}

/** The browser's stream, ended when the BFF shuts down (`app.locals.shutdown`). */
export function browserStream(res: Response): SseWriter {
  return openSse(res, { heartbeatMs: 15_000, shutdown: res.app.locals.shutdown as AbortSignal | undefined });
}

/** Aborts when the browser goes away, also before its stream has started. */
export function closedSignal(res: Response): AbortSignal {
  const closed = new AbortController();
  res.once("close", () => closed.abort());
  return closed.signal;
}

/** Hands the engine stream's events, one at a time, to `onEvent` until it ends or `signal` aborts. */
export async function follow(
  req: Request,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onEvent: (e: EngineEvent) => Promise<void>,
): Promise<void> {
  let chain = Promise.resolve();
  try {
    await readEngineEvents(
      body,
      (e) => {
        chain = chain.then(() => onEvent(e));
      },
      signal,
    );
  } catch (err) {
    // The engine went away mid-stream, or sent an event the contract does not allow: the browser
    // reconnects (and is told why then); the log says which.
    if (!signal.aborted) req.log?.warn({ err }, "the engine's event stream broke");
  }
  await chain.catch(() => {});
}
