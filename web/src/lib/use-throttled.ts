import { useEffect, useEffectEvent, useMemo } from "react";
import { throttle } from "throttle-debounce";

/**
 * `fn` at most once per `ms` (at once, then once at the end of a busy window), for stream
 * handlers that refresh what the server aggregates; the latest `fn` runs, and nothing runs after
 * unmount.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const run = useEffectEvent(fn);
  const throttled = useMemo(() => throttle(ms, () => run()), [ms]);
  useEffect(() => () => throttled.cancel(), [throttled]);
  return throttled;
}
