/**
 * Ending long-lived work (event streams) when a server shuts down. Each stream gets its own
 * AbortController; the server's shutdown signal carries one listener for all of them, not one
 * per stream (eleven open streams used to trip Node's MaxListenersExceededWarning).
 */
const open = new WeakMap<AbortSignal, Set<AbortController>>();

/** A controller that aborts when `shutdown` does (or at once, if it already has); the caller aborts it when done. */
export function abortOnShutdown(shutdown: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (!shutdown) return controller;
  if (shutdown.aborted) {
    controller.abort();
    return controller;
  }
  let streams = open.get(shutdown);
  if (!streams) {
    const created = new Set<AbortController>();
    shutdown.addEventListener(
      "abort",
      () => {
        for (const c of created) c.abort();
        created.clear();
      },
      { once: true },
    );
    open.set(shutdown, created);
    streams = created;
  }
  const set = streams;
  set.add(controller);
  controller.signal.addEventListener("abort", () => set.delete(controller), { once: true });
  return controller;
}
