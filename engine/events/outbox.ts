/** Writes events into the outbox inside the caller's transaction and wakes readers after commit. */
import type { NewEvent } from "../store/events-repo.ts";
import type { Store } from "../store/store.ts";
import { type Bus, TOPICS } from "./bus.ts";

export const EVENT_TYPES = [
  "build.created",
  "build.status_changed",
  "job.status_changed",
  "operation.progress",
  "operation.completed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type OutboxEvent = NewEvent & { type: EventType };

export async function emit(tx: Store, bus: Bus, events: readonly OutboxEvent[], now: number): Promise<void> {
  if (events.length === 0) return;
  await tx.events.append({ events, now });
  tx.afterCommit(() => bus.publish(TOPICS.events));
}
