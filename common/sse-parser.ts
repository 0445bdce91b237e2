/**
 * Reads a `text/event-stream` body into events (used by the BFF and the CLI; browsers have
 * EventSource). eventsource-parser parses; this adds what its callers need around it: each event
 * handled (awaited) before the next, the last id kept for events that carry none (as EventSource
 * does), comments, and an abort that ends the read quietly.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type SseEvent = { id: string | undefined; event: string; data: string };

export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void | Promise<void>,
  signal?: AbortSignal,
  /** Comment lines (`: heartbeat`), without the colon. */
  onComment?: (text: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const stop = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", stop, { once: true });
  let lastId: string | undefined;
  let parsed: EventSourceMessage[] = [];
  const parser = createParser({
    onEvent: (message) => parsed.push(message),
    onComment: (text) => onComment?.(text.trim()),
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      const ready = parsed;
      parsed = [];
      for (const message of ready) {
        lastId = message.id ?? lastId;
        await onEvent({ id: lastId, event: message.event ?? "message", data: message.data });
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
