import { useEffect, useEffectEvent, useMemo, useState } from "react";
import { openEventStream, type StreamHandlers, type StreamState } from "./event-stream.ts";
import { throttle } from "./throttle.ts";

/**
 * The page's one way to follow a stream: keeps one `EventSource` open on `url` while mounted
 * (none when `url` is null) and answers how it is doing (connecting, live, reconnecting).
 * Handlers may change every render without reopening the stream; `onReconnect` runs when events
 * may have been missed, so the caller catches up.
 */
export function useEventStream<Events extends object>(
  url: string | null,
  handlers: StreamHandlers<Events>,
  options: { onReconnect?: () => void } = {},
): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const onEvent = useEffectEvent((name: keyof Events, data: unknown) => {
    (handlers[name] as ((data: unknown) => void) | undefined)?.(data);
  });
  const onReconnect = useEffectEvent(() => options.onReconnect?.());
  const names = Object.keys(handlers).sort().join(",");

  useEffect(() => {
    if (url === null) return;
    setState("connecting");
    const routed: Record<string, (data: unknown) => void> = {};
    for (const name of names.split(",").filter(Boolean)) {
      routed[name] = (data) => onEvent(name as keyof Events, data);
    }
    return openEventStream(url, routed, {
      onOpen: () => setState("live"),
      onError: () => setState("reconnecting"),
      onReconnect,
    });
  }, [url, names]);
  return state;
}

/**
 * `fn` at most once per `ms` (at once, then once at the end of a busy window), for stream
 * handlers that refresh what the server aggregates; the latest `fn` runs, and nothing runs after
 * unmount.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const run = useEffectEvent(fn);
  const throttled = useMemo(() => throttle(() => run(), ms), [ms]);
  useEffect(() => () => throttled.cancel(), [throttled]);
  return throttled;
}
