/** The outbox events' payloads, built in one place. */
import type { OperationCounts } from "../../common/dto.ts";
import type { BuildStatus } from "../../common/statuses.ts";
import type { PipelineName } from "../services/pipeline-names.ts";
import type { OperationsTable } from "../store/schema.ts";
import type { OutboxEvent } from "./outbox.ts";

export type BuildChange = {
  id: number;
  project_id: number;
  pipeline_id: number;
  number: number;
  branch: string;
  from: BuildStatus | null;
  status: BuildStatus;
};

export type BuildStatusChangedPayload = {
  buildId: number;
  number: number;
  project: string;
  pipeline: string;
  branch: string;
  from: BuildStatus | null;
  to: BuildStatus;
  reason: string | null;
  operationId: string | null;
  by: string | null;
  at: string;
};

export function buildStatusChanged(
  change: BuildChange,
  names: Map<number, PipelineName>,
  extra: { reason?: string | null; operationId?: string | null; by?: string | null; now: number },
): OutboxEvent {
  const name = names.get(change.pipeline_id);
  const payload: BuildStatusChangedPayload = {
    buildId: change.id,
    number: change.number,
    project: name?.project ?? "",
    pipeline: name?.pipeline ?? "",
    branch: change.branch,
    from: change.from,
    to: change.status,
    reason: extra.reason ?? null,
    operationId: extra.operationId ?? null,
    by: extra.by ?? null,
    at: new Date(extra.now).toISOString(),
  };
  return {
    type: change.from === null ? "build.created" : "build.status_changed",
    projectId: change.project_id,
    pipelineId: change.pipeline_id,
    buildId: change.id,
    operationId: extra.operationId ?? null,
    payload,
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
