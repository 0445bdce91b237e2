/** Triggering builds (with the concurrency-group policy), and reading them back. */
import { groupBy } from "../../common/collections.ts";
import type { Build, BuildDetail, Page, StatusCounts, TriggerRequest } from "../../common/dto.ts";
import { ConflictError, InputError, NotFoundError } from "../../common/errors.ts";
import { BUILD_STATUSES, type BuildStatus } from "../../common/statuses.ts";
import type { EngineContext } from "../context.ts";
import { queueDecision, resolveGroup } from "../domain/concurrency.ts";
import { resolveParams } from "../domain/params.ts";
import { TOPICS } from "../events/bus.ts";
import { buildCreated } from "../events/payloads.ts";
import type { TriggerSource } from "../metrics/recorder.ts";
import { acceptCancel } from "../ops/accept-cancel.ts";
import type { BuildRef } from "../store/builds-repo.ts";
import type { Store } from "../store/store.ts";
import { emptyCounts, resolvePipeline } from "./catalog.ts";
import { type Actor, authorize } from "./identity.ts";
import { jobsOf } from "./jobs-of.ts";
import { toBuild, toBuildDetail } from "./mappers.ts";

type Names = { project: string; pipeline: string };

export async function triggerBuild(
  ctx: EngineContext,
  actor: Actor,
  names: Names,
  request: TriggerRequest,
  source: TriggerSource = "api",
): Promise<Build> {
  const { project, pipeline, definition } = await resolvePipeline(ctx, actor, names, "trigger");
  const params = resolveParams(definition.params, request.params);
  const policy = definition.concurrency;
  const commit = request.commit ?? "";
  const build = await ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const number = await tx.projects.allocateBuildNumber({ pipelineId: pipeline.id });
    const group = policy
      ? resolveGroup(policy.group, { branch: request.branch, commit, pipeline: pipeline.name, params })
      : null;
    let evict: BuildRef[] = [];
    if (group !== null && policy) {
      await tx.lockKey(`group:${project.id}:${group}`);
      const active = await tx.builds.lockActiveInGroup({ projectId: project.id, group });
      if (!policy.cancelInProgress) {
        const waiting = active.filter((b) => b.status === "QUEUED");
        const decision = queueDecision({
          queueLength: policy.queueLength,
          waiting: waiting.length,
          busy: active.length > 0,
        });
        if (decision.kind === "reject") {
          throw new ConflictError(
            "concurrency_group_busy",
            `Concurrency group "${group}" is busy and queueLength is 0`,
            { group },
          );
        }
        evict = waiting.slice(0, decision.evictOldest);
      } else {
        evict = active.filter((b) => b.status !== "CANCELING");
      }
    }
    const row = await tx.builds.insert({
      build: {
        project_id: project.id,
        pipeline_id: pipeline.id,
        number,
        branch: request.branch,
        commit_sha: commit,
        params: JSON.stringify(params),
        triggered_by: actor.username,
        concurrency_group: group,
        grace_seconds: definition.cancelGraceSeconds,
        queue_deadline: policy && !policy.cancelInProgress ? now + policy.queueTimeoutMinutes * 60_000 : null,
        created_at: now,
      },
    });
    await tx.jobs.insertForBuild({ buildId: row.id, jobs: jobsOf(definition) });
    await tx.events.append({
      events: [buildCreated(row, actor.username)],
      now,
    });
    const reason = policy?.cancelInProgress ? `superseded by #${number}` : "queue_full";
    await cancelForGroup(ctx, tx, { projectId: project.id, actor: actor.username, reason, builds: evict });
    tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
    return toBuild(row);
  });
  ctx.metrics.buildsTriggered(source, 1);
  return build;
}

/** The concurrency policy cancels through the bulk primitive, one operation per pipeline. */
async function cancelForGroup(
  ctx: EngineContext,
  tx: Store,
  opts: { projectId: number; actor: string; reason: string; builds: BuildRef[] },
): Promise<void> {
  for (const [pipelineId, refs] of groupBy(opts.builds, (b) => b.pipeline_id)) {
    await acceptCancel(ctx, tx, {
      projectId: opts.projectId,
      pipelineId,
      limited: false,
      actor: opts.actor,
      source: "concurrency",
      reason: opts.reason,
      targets: { kind: "refs", refs },
      atomic: false,
      force: false,
    });
  }
}

export type HistoryQuery = {
  status?: string | undefined;
  branch?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

export function parseStatuses(value: string | undefined): BuildStatus[] | undefined {
  if (value === undefined || value === "") return undefined;
  const statuses = value.split(",").map((s) => s.trim().toUpperCase());
  const bad = statuses.filter((s) => !(BUILD_STATUSES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new InputError(
      `Unknown status ${bad.join(", ")}; use ${BUILD_STATUSES.join(", ")}`,
      undefined,
      "invalid_status",
    );
  }
  return statuses as BuildStatus[];
}

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const id = Number(Buffer.from(cursor, "base64url").toString("utf8").replace(/^b/, ""));
  if (!Number.isSafeInteger(id) || id <= 0) throw new InputError("cursor is not valid", undefined, "invalid_cursor");
  return id;
}

const encodeCursor = (id: number) => Buffer.from(`b${id}`).toString("base64url");

/** A page of history, newest first. The cursor is the last id seen, so inserts never shift pages. */
export async function buildHistory(
  ctx: EngineContext,
  actor: Actor,
  names: Names,
  query: HistoryQuery,
): Promise<Page<Build>> {
  const { pipeline } = await resolvePipeline(ctx, actor, names, "read");
  const statuses = parseStatuses(query.status);
  const beforeId = decodeCursor(query.cursor);
  const rows = await ctx.store.builds.history({
    pipelineId: pipeline.id,
    ...(statuses ? { statuses } : {}),
    ...(query.branch ? { branch: query.branch } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map(toBuild), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
}

export async function buildCounts(
  ctx: EngineContext,
  actor: Actor,
  names: Names,
  query: { branch?: string | undefined },
): Promise<StatusCounts> {
  const { pipeline } = await resolvePipeline(ctx, actor, names, "read");
  const rows = await ctx.store.builds.countByStatus({
    pipelineIds: [pipeline.id],
    ...(query.branch ? { branch: query.branch } : {}),
  });
  const counts = emptyCounts();
  for (const r of rows) counts[r.status] = r.count;
  return counts;
}

async function readableBuild(ctx: EngineContext, actor: Actor, id: number) {
  const row = await ctx.store.builds.findById({ id });
  const project = row ? await ctx.store.projects.findProjectById({ id: row.project_id }) : undefined;
  if (!row || !project) throw new NotFoundError(`Build ${id} not found`, undefined, "build_not_found");
  await authorize(ctx, actor, project, "read");
  return row;
}

export async function getBuild(ctx: EngineContext, actor: Actor, id: number): Promise<BuildDetail> {
  const row = await readableBuild(ctx, actor, id);
  const { jobs, steps } = await ctx.store.jobs.forBuild({ buildId: id });
  return toBuildDetail(row, jobs, steps);
}

export type LogPage = {
  chunks: { id: number; jobId: number; stream: string; text: string }[];
  next: number;
  active: boolean;
  /** Bytes of output not kept past the log limit (`SLUICE_LOG_MAX_BYTES`). */
  droppedBytes: number;
};

export async function getBuildLog(
  ctx: EngineContext,
  actor: Actor,
  id: number,
  query: { after?: number | undefined; jobId?: number | undefined; limit: number },
): Promise<LogPage> {
  const row = await readableBuild(ctx, actor, id);
  const chunks = await ctx.store.logs.read({
    buildId: id,
    ...(query.jobId !== undefined ? { jobId: query.jobId } : {}),
    ...(query.after !== undefined ? { afterId: query.after } : {}),
    limit: query.limit,
  });
  const last = chunks[chunks.length - 1];
  return {
    chunks: chunks.map((c) => ({ id: c.id, jobId: c.job_id, stream: c.stream, text: c.text })),
    next: last ? last.id : (query.after ?? 0),
    active: row.status === "QUEUED" || row.status === "RUNNING" || row.status === "CANCELING",
    droppedBytes: Number(row.log_dropped_bytes),
  };
}
