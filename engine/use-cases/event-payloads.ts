/**
 * The outbox events' payloads, built in one place. Payloads hold only what the row's columns
 * do not: the stream adds seq, type, time, build, operation, project and pipeline
 * (`events/stream.ts`), giving the events of `common/contract/events.ts`; each payload is
 * typed by the contract's schema for its event type.
 */
import type { BuildStatus, JobStatus } from "../../common/statuses.ts";
import { countsOf, parseCounts } from "../domain/operation-counts.ts";
import type { NewEvent as OutboxEvent } from "../store/events-repo.ts";
import type { OperationsTable } from "../store/schema.ts";

/** `build.created`; status changes are written by the store from the rows (`appendBuildChanges`). */
export function buildCreated(
  build: { id: number; project_id: number; pipeline_id: number; number: number; branch: string; status: BuildStatus },
  by: string,
): OutboxEvent {
  return {
    type: "build.created",
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    buildId: build.id,
    payload: { number: build.number, branch: build.branch, from: null, to: build.status, reason: null, by },
  };
}

export function jobStatusChanged(
  build: { id: number; project_id: number; pipeline_id: number },
  job: { id: number; name: string },
  status: JobStatus,
  reason: string | null,
  agentId?: string,
): OutboxEvent {
  return {
    type: "job.status_changed",
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    buildId: build.id,
    payload: { jobId: job.id, name: job.name, status, reason, ...(agentId ? { agentId } : {}) },
  };
}

/** `operation.progress`, or `operation.completed` once nothing is pending. */
export function operationEvent(op: OperationsTable): OutboxEvent {
  return {
    type: op.status === "completed" ? "operation.completed" : "operation.progress",
    projectId: op.project_id,
    pipelineId: op.pipeline_id,
    operationId: op.id,
    payload: {
      status: op.status,
      total: op.total,
      counts: countsOf(parseCounts(op.counts), op.pending),
    },
  };
}

/** `operation.stuck`: the first time the operation has stuck builds (`stuck`: how many). */
export function operationStuck(op: OperationsTable, stuck: number): OutboxEvent {
  return {
    type: "operation.stuck",
    projectId: op.project_id,
    pipelineId: op.pipeline_id,
    operationId: op.id,
    payload: { status: op.status, total: op.total, counts: countsOf(parseCounts(op.counts), op.pending), stuck },
  };
}
