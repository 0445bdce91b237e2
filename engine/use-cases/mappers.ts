/** Database rows to the API's shapes (`common/dto.ts`). */
import { groupBy } from "../../common/collections.ts";
import type { Build, BuildDetail, Job, Operation, OperationItem, OperationSelection, Step } from "../../common/dto.ts";
import type { BuildStatus } from "../../common/statuses.ts";
import { countsOf, parseCounts } from "../domain/operation-counts.ts";
import type { BuildRow } from "../store/builds-repo.ts";
import type { JobRow, StepRow } from "../store/jobs-repo.ts";
import type { OperationRow } from "../store/operations-repo.ts";

export const iso = (ms: number | null): string | null => (ms == null ? null : new Date(Number(ms)).toISOString());

export function toBuild(row: BuildRow): Build {
  const build: Build = {
    id: row.id,
    project: row.project_name,
    pipeline: row.pipeline_name,
    number: row.number,
    status: row.status,
    branch: row.branch,
    commit: row.commit_sha,
    params: JSON.parse(row.params) as Record<string, string>,
    triggeredBy: row.triggered_by,
    concurrencyGroup: row.concurrency_group,
    statusReason: row.status_reason,
    createdAt: iso(row.created_at) as string,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
  if (row.trigger_kind !== null && row.repository_name !== null) {
    build.trigger = {
      kind: row.trigger_kind,
      repository: row.repository_name,
      pullRequest: row.pull_request,
      commitMessage: row.commit_message,
      commitAuthor: row.commit_author,
      commitUrl:
        row.repository_web_url && row.commit_sha
          ? `${row.repository_web_url}${row.repository_provider === "gitlab" ? "/-" : ""}/commit/${row.commit_sha}`
          : null,
    };
  }
  if (row.cancel_operation_id && row.cancel_by && row.cancel_at != null) {
    build.cancel = {
      by: row.cancel_by,
      reason: row.cancel_reason,
      operationId: row.cancel_operation_id,
      at: iso(row.cancel_at) as string,
    };
  }
  return build;
}

function toStep(row: StepRow): Step {
  return {
    index: row.step_index,
    name: row.name,
    run: row.run,
    status: row.status,
    exitCode: row.exit_code,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toBuildDetail(row: BuildRow, jobs: JobRow[], steps: StepRow[]): BuildDetail {
  const stepsByJob = groupBy(steps, (s) => s.job_id);
  return {
    ...toBuild(row),
    cancelGraceSeconds: row.grace_seconds,
    jobs: jobs.map(
      (j): Job => ({
        id: j.id,
        stage: j.stage_name,
        stageIndex: j.stage_index,
        name: j.name,
        status: j.status,
        agentId: j.agent_id,
        startedAt: iso(j.started_at),
        finishedAt: iso(j.finished_at),
        stopRequestedAt: iso(j.stop_requested_at),
        steps: (stepsByJob.get(j.id) ?? []).map(toStep),
      }),
    ),
  };
}

export function toOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    kind: row.kind as Operation["kind"],
    status: row.status,
    source: row.source as Operation["source"],
    scope: row.scope ?? "pipeline",
    project: row.project_name,
    pipeline: row.pipeline_name,
    selection: row.selection ? (JSON.parse(row.selection) as OperationSelection) : null,
    requestedBy: row.requested_by,
    reason: row.reason,
    total: row.total,
    counts: countsOf(parseCounts(row.counts), row.pending),
    createdAt: iso(row.created_at) as string,
    completedAt: iso(row.completed_at),
    rerunBy: row.rerun_by ?? null,
    rerunOf: row.rerun_of ?? null,
  };
}

export function toOperationItem(row: {
  build_id: number;
  outcome: string;
  note: string | null;
  number: number;
  branch: string;
  status: BuildStatus;
  pipeline_name: string;
}): OperationItem {
  return {
    buildId: row.build_id,
    buildNumber: row.number,
    pipeline: row.pipeline_name,
    branch: row.branch,
    outcome: row.outcome as OperationItem["outcome"],
    note: row.note,
    status: row.status,
  };
}
