/** Reading builds back: history pages, counts per status, a build's detail and its log. */
import type { BuildTriggerKind } from "../../../common/contract/builds.ts";
import type { Build, BuildDetail, Page, StatusCounts } from "../../../common/dto.ts";
import { InputError, NotFoundError } from "../../../common/errors.ts";
import { BUILD_STATUSES, type BuildStatus } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import type { BuildRow } from "../../store/builds-repo.ts";
import { emptyCounts, resolvePipeline } from "../catalog/catalog.ts";
import { type Actor, authorize } from "../identity/identity.ts";
import { toBuild, toBuildDetail } from "../mappers.ts";

type Names = { project: string; pipeline: string };

export type HistoryQuery = {
  status?: string | undefined;
  branch?: string | undefined;
  trigger?: BuildTriggerKind | undefined;
  pullRequest?: number | undefined;
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
    ...(query.trigger ? { trigger: query.trigger } : {}),
    ...(query.pullRequest !== undefined ? { pullRequest: query.pullRequest } : {}),
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
  return detailOf(ctx, await readableBuild(ctx, actor, id));
}

/** A build read (and its reading allowed): with its jobs and steps. */
async function detailOf(ctx: EngineContext, row: BuildRow): Promise<BuildDetail> {
  const { jobs, steps } = await ctx.store.jobs.forBuild({ buildId: row.id });
  return toBuildDetail(row, jobs, steps);
}

/** A build by the number people see (`#12`) in its pipeline, as Buildkite's API names builds. */
export async function getBuildByNumber(
  ctx: EngineContext,
  actor: Actor,
  names: Names,
  number: number,
): Promise<BuildDetail> {
  const { pipeline } = await resolvePipeline(ctx, actor, names, "read");
  const [found] = await ctx.store.builds.idsByNumbers({ pipelineId: pipeline.id, numbers: [number] });
  // The pipeline was read with the right to read it: no second lookup and check through the id.
  const row = found && (await ctx.store.builds.findById({ id: found.id }));
  if (!row) {
    throw new NotFoundError(
      `Build #${number} not found in ${names.project}/${names.pipeline}`,
      undefined,
      "build_not_found",
    );
  }
  return detailOf(ctx, row);
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
