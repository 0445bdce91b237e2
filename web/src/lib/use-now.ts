import { useSyncExternalStore } from "react";

/**
 * The current time, refreshed every `intervalMs` for all subscribers from one shared timer per
 * interval, so a table of running builds re-renders only its clock cells, never the whole table.
 */
type Clock = {
  now: number;
  listeners: Set<() => void>;
  timer?: ReturnType<typeof setInterval>;
  /** Stable per clock: a new subscribe function each render would make React resubscribe each render. */
  subscribe: (listener: () => void) => () => void;
  read: () => number;
};

const clocks = new Map<number, Clock>();

function clockFor(intervalMs: number): Clock {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    const created: Clock = {
      now: Date.now(),
      listeners: new Set(),
      subscribe: (listener) => subscribe(created, intervalMs, listener),
      read: () => created.now,
    };
    clocks.set(intervalMs, created);
    clock = created;
  }
  return clock;
}

function subscribe(clock: Clock, intervalMs: number, listener: () => void): () => void {
  clock.listeners.add(listener);
  if (clock.timer === undefined) {
    clock.now = Date.now();
    clock.timer = setInterval(() => {
      clock.now = Date.now();
      for (const notify of clock.listeners) notify();
    }, intervalMs);
  }
  return () => {
    clock.listeners.delete(listener);
    if (clock.listeners.size === 0) {
      clearInterval(clock.timer);
      clock.timer = undefined;
    }
  };
}

export function useNow(intervalMs = 1000): number {
  const clock = clockFor(intervalMs);
  return useSyncExternalStore(clock.subscribe, clock.read);
}
