import { describe, expect, it } from "vitest";
import { readSse, type SseEvent } from "./sse-parser.ts";

/** A body that arrives in the given pieces. */
function body(...pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

describe("readSse", () => {
  it("reads events split anywhere, CRLF or LF, keeps the last id for events without one, and reports comments", async () => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    await readSse(
      body("id: 7\r\nevent: builds\r\nda", 'ta: {"a":1}\r\n\r\n: heartbeat\n', "data: line one\ndata: line two\n\n"),
      (e) => void events.push(e),
      undefined,
      (c) => comments.push(c),
    );
    expect(events).toEqual([
      { id: "7", event: "builds", data: '{"a":1}' },
      { id: "7", event: "message", data: "line one\nline two" },
    ]);
    expect(comments).toEqual(["heartbeat"]);
  });

  it("hands events over one at a time: the next waits for the handler before it", async () => {
    const order: string[] = [];
    await readSse(body("data: 1\n\ndata: 2\n\n"), async (e) => {
      order.push(`start ${e.data}`);
      await new Promise((r) => setImmediate(r));
      order.push(`end ${e.data}`);
    });
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("ends quietly when aborted mid-stream", async () => {
    const abort = new AbortController();
    const never = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode("data: x\n\n")) });
    const seen: string[] = [];
    await readSse(
      never,
      (e) => {
        seen.push(e.data);
        abort.abort();
      },
      abort.signal,
    );
    expect(seen).toEqual(["x"]);
  });
});
