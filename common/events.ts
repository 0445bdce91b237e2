/** The engine's event stream (`GET /v1/events`): each SSE message's `data`, by `event:` type. */
import type { OperationCounts } from "./dto.ts";
import type { BuildStatus } from "./statuses.ts";

type Envelope = { seq: number; at: string; project: string; pipeline: string };

export type BuildChangeEvent = Envelope & {
  type: "build.created" | "build.status_changed";
  buildId: number;
  number: number;
  branch: string;
  from: BuildStatus | null;
  to: BuildStatus;
  reason: string | null;
  operationId?: string;
  by: string | null;
};

export type JobChangeEvent = Envelope & {
  type: "job.status_changed";
  buildId: number;
  jobId: number;
  name: string;
  status: string;
  reason: string | null;
  agentId?: string;
};

export type OperationEvent = Envelope & {
  type: "operation.progress" | "operation.completed";
  operationId: string;
  status: "running" | "completed";
  total: number;
  counts: OperationCounts;
};

export type EngineEvent = BuildChangeEvent | JobChangeEvent | OperationEvent;

export const EVENT_TYPES = [
  "build.created",
  "build.status_changed",
  "job.status_changed",
  "operation.progress",
  "operation.completed",
] as const satisfies readonly EngineEvent["type"][];
export type EventType = EngineEvent["type"];
