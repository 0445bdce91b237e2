import type { StreamData, StreamEventName, StreamMessage } from "@common/page-stream.ts";
import { useEffect, useEffectEvent, useState } from "react";
import { type StreamState, streamClient } from "./stream-client.ts";

export type StreamHandlers = { [K in StreamEventName]?: (data: StreamData[K]) => void };

/**
 * The page's one way to follow something live: subscribes to `topic` on the browser's one stream
 * while mounted (nothing when `topic` is null) and answers how it is doing (connecting, live,
 * reconnecting). Handlers may change every render without subscribing again; `onLive` runs each
 * time the topic goes live (just subscribed, or back after a drop), when events before that moment
 * were not sent, so the caller reads again what it shows.
 */
export function useStream(
  topic: string | null,
  handlers: StreamHandlers,
  options: { onLive?: () => void } = {},
): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const onMessage = useEffectEvent((message: StreamMessage) => dispatch(handlers, message));
  const onLive = useEffectEvent(() => options.onLive?.());

  useEffect(() => {
    if (topic === null) return;
    return streamClient().subscribe(topic, { message: onMessage, state: setState, live: onLive });
  }, [topic]);
  return state;
}

function dispatch(handlers: StreamHandlers, message: StreamMessage): void {
  switch (message.event) {
    case "builds":
      handlers.builds?.(message.data);
      return;
    case "operation":
      handlers.operation?.(message.data);
      return;
    case "log":
      handlers.log?.(message.data);
      return;
    case "refused":
      handlers.refused?.(message.data);
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
}
