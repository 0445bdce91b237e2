/** The outbox events' payloads, built in one place. */
import type { OperationCounts } from "../../common/dto.ts";
import type { BuildStatus } from "../../common/statuses.ts";
import type { PipelineName } from "../services/pipeline-names.ts";
import type { OperationsTable } from "../store/schema.ts";
import type { OutboxEvent } from "./outbox.ts";

/** `build.created`; status changes are written by the store from the rows (`appendBuildChanges`). */
export function buildCreated(
  build: { id: number; project_id: number; pipeline_id: number; number: number; branch: string; status: BuildStatus },
  names: Map<number, PipelineName>,
  by: string,
  now: number,
): OutboxEvent {
  const name = names.get(build.pipeline_id);
  return {
    type: "build.created",
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    buildId: build.id,
    payload: {
      buildId: build.id,
      number: build.number,
      project: name?.project ?? "",
      pipeline: name?.pipeline ?? "",
      branch: build.branch,
      from: null,
      to: build.status,
      reason: null,
      operationId: null,
      by,
      at: new Date(now).toISOString(),
    },
  };
}

export function jobStatusChanged(
  build: { id: number; project_id: number; pipeline_id: number },
  job: { id: number; name: string },
  status: string,
  reason: string | null,
  agentId?: string,
): OutboxEvent {
  return {
    type: "job.status_changed",
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    buildId: build.id,
    payload: { buildId: build.id, jobId: job.id, name: job.name, status, reason, ...(agentId ? { agentId } : {}) },
  };
}

export type OperationProgressPayload = {
  operationId: string;
  project: string;
  pipeline: string;
  status: "running" | "completed";
  total: number;
  counts: OperationCounts;
};

export function operationEvent(op: OperationsTable, names: Map<number, PipelineName>): OutboxEvent {
  const name = names.get(op.pipeline_id);
  const payload: OperationProgressPayload = {
    operationId: op.id,
    project: name?.project ?? "",
    pipeline: name?.pipeline ?? "",
    status: op.status,
    total: op.total,
    counts: { canceled: op.canceled, alreadyFinished: op.already_finished, failed: op.failed, pending: op.pending },
  };
  return {
    type: op.status === "completed" ? "operation.completed" : "operation.progress",
    projectId: op.project_id,
    pipelineId: op.pipeline_id,
    operationId: op.id,
    payload,
  };
}
