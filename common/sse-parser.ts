/** Reads a `text/event-stream` body into events (used by the BFF and the CLI; browsers have EventSource). */
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
  let buffer = "";
  let id: string | undefined;
  let event = "message";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r?\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(buffer[newline] === "\r" ? newline + 2 : newline + 1);
        newline = buffer.search(/\r?\n/);
        if (line === "") {
          if (data.length > 0) await onEvent({ id, event, data: data.join("\n") });
          event = "message";
          data = [];
          continue;
        }
        if (line.startsWith(":")) {
          onComment?.(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") id = text;
        else if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
