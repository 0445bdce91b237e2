/**
 * The engine's events (`GET /v1/events`): what the producers write into the outbox (`payload`, by
 * type) and what a reader receives (the payload with the row's columns: seq, time, build,
 * operation, project and pipeline), each a member of one union discriminated by `type`.
 */
import { z } from "zod";
import { OPERATION_STATUSES } from "../constants.ts";
import { JOB_STATUSES } from "../statuses.ts";
import { BuildStatusSchema } from "./builds.ts";
import { OperationCounts } from "./operations.ts";
import { Time } from "./shared.ts";

/* Payloads: what the engine writes, by type --------------------------------------------- */

export const BuildChangePayload = z.object({
  number: z.number().int(),
  branch: z.string(),
  from: BuildStatusSchema.nullable(),
  to: BuildStatusSchema,
  reason: z.string().nullable(),
  by: z.string().nullable(),
});

export const JobChangePayload = z.object({
  jobId: z.number().int(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  reason: z.string().nullable(),
  agentId: z.string().optional(),
});

export const OperationPayload = z.object({
  status: z.enum(OPERATION_STATUSES),
  total: z.number().int(),
  counts: OperationCounts,
});

/** An operation's first stuck builds: written once per operation (`stuck`: how many then). */
export const OperationStuckPayload = OperationPayload.extend({ stuck: z.number().int() });

export const EVENT_PAYLOADS = {
  "build.created": BuildChangePayload,
  "build.status_changed": BuildChangePayload,
  "job.status_changed": JobChangePayload,
  "operation.progress": OperationPayload,
  "operation.completed": OperationPayload,
  "operation.stuck": OperationStuckPayload,
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;

/* Events: what a reader receives ---------------------------------------------------------- */

const Envelope = { seq: z.number().int(), at: Time };
/** Build and job events always belong to a pipeline. */
const InPipeline = { ...Envelope, project: z.string(), pipeline: z.string(), buildId: z.number().int() };

const buildChange = <T extends "build.created" | "build.status_changed">(type: T) =>
  BuildChangePayload.extend({ ...InPipeline, type: z.literal(type), operationId: z.string().optional() });

export const BuildCreatedEvent = buildChange("build.created");
export const BuildStatusChangedEvent = buildChange("build.status_changed");
export const JobChangeEvent = JobChangePayload.extend({ ...InPipeline, type: z.literal("job.status_changed") });

const InOperation = {
  ...Envelope,
  operationId: z.string(),
  /** Both absent for a project-wide operation (the stream names a row's pipeline, when it has one). */
  project: z.string().optional(),
  pipeline: z.string().optional(),
};
const operationEvent = <T extends "operation.progress" | "operation.completed">(type: T) =>
  OperationPayload.extend({ ...InOperation, type: z.literal(type) });
export const OperationProgressEvent = operationEvent("operation.progress");
export const OperationCompletedEvent = operationEvent("operation.completed");
export const OperationStuckEvent = OperationStuckPayload.extend({ ...InOperation, type: z.literal("operation.stuck") });

export const EngineEvent = z.discriminatedUnion("type", [
  BuildCreatedEvent,
  BuildStatusChangedEvent,
  JobChangeEvent,
  OperationProgressEvent,
  OperationCompletedEvent,
  OperationStuckEvent,
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type BuildChangeEvent = z.infer<typeof BuildCreatedEvent> | z.infer<typeof BuildStatusChangedEvent>;
export type JobChangeEvent = z.infer<typeof JobChangeEvent>;
export type OperationEvent =
  | z.infer<typeof OperationProgressEvent>
  | z.infer<typeof OperationCompletedEvent>
  | z.infer<typeof OperationStuckEvent>;

/** `GET /v1/events`: `project` (and `pipeline`), or `operation`, narrow it; `types` is comma-separated. */
export const EventsQuery = z.object({
  project: z.string().optional(),
  pipeline: z.string().optional(),
  operation: z.string().optional(),
  types: z.string().optional(),
  after: z.string().optional(),
});
