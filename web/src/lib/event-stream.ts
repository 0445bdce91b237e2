/**
 * A small layer over `EventSource`: named events carry JSON. The browser reconnects by itself
 * (sending `Last-Event-ID`); when it gives up (an HTTP error closes the source) we open a new
 * one with backoff. `onReconnect` tells the caller it may have missed events and should catch up.
 */
export type StreamHandlers<Events> = { [K in keyof Events]?: (data: Events[K]) => void };

/** What a page shows about its live stream. */
export type StreamState = "connecting" | "live" | "reconnecting";

export type StreamOptions = {
  onOpen?: () => void;
  onReconnect?: () => void;
  onError?: () => void;
};

const FIRST_RETRY_MS = 1000;
/** Low enough that a page finds a restarted server within seconds. */
const MAX_RETRY_MS = 10_000;

export function openEventStream<Events extends object>(
  url: string,
  handlers: StreamHandlers<Events>,
  options: StreamOptions = {},
): () => void {
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;
  let missedSome = false;
  let stopped = false;

  const connect = () => {
    const current = new EventSource(url, { withCredentials: true });
    source = current;
    for (const [name, handler] of Object.entries(handlers) as [string, ((data: unknown) => void) | undefined][]) {
      if (!handler) continue;
      current.addEventListener(name, (event) => {
        if (!stopped) handler(parse((event as MessageEvent<string>).data));
      });
    }
    current.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      options.onOpen?.();
      if (missedSome) {
        missedSome = false;
        options.onReconnect?.();
      }
    };
    current.onerror = () => {
      missedSome = true;
      options.onError?.();
      if (current.readyState !== EventSource.CLOSED || stopped) return;
      current.close();
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
  };

  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    source?.close();
  };
}

/** JSON when it is JSON; a bare marker (`data: end`) comes through as its text. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
