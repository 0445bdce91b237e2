import { useEffect, useEffectEvent } from "react";
import { openEventStream, type StreamHandlers, type StreamOptions } from "./event-stream.ts";

/**
 * Keeps one `EventSource` open on `url` while mounted (none when `url` is null). Handlers may
 * change every render without reopening the stream.
 */
export function useEventStream<Events extends object>(
  url: string | null,
  handlers: StreamHandlers<Events>,
  options: StreamOptions = {},
): void {
  const onEvent = useEffectEvent((name: keyof Events, data: unknown) => {
    (handlers[name] as ((data: unknown) => void) | undefined)?.(data);
  });
  const onOpen = useEffectEvent(() => options.onOpen?.());
  const onReconnect = useEffectEvent(() => options.onReconnect?.());
  const onError = useEffectEvent(() => options.onError?.());
  const names = Object.keys(handlers).sort().join(",");

  useEffect(() => {
    if (url === null) return;
    const routed: Record<string, (data: unknown) => void> = {};
    for (const name of names.split(",").filter(Boolean)) {
      routed[name] = (data) => onEvent(name as keyof Events, data);
    }
    return openEventStream(url, routed, { onOpen, onReconnect, onError });
  }, [url, names]);
}
