/** The outbox's event types. Rows are written by the store (`events` repository) in the caller's transaction. */
import type { NewEvent } from "../store/events-repo.ts";

export const EVENT_TYPES = [
  "build.created",
  "build.status_changed",
  "job.status_changed",
  "operation.progress",
  "operation.completed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type OutboxEvent = NewEvent & { type: EventType };
