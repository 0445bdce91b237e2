/**
 * The cancel endpoints' use-cases: preview a bulk cancel, accept one (pipeline- or project-wide),
 * and a single cancel as a batch of one. Each reads as steps: resolve the scope → check the
 * request → name the targets → accept in one transaction.
 */
import crypto from "node:crypto";
import type { OperationSource } from "../../common/constants.ts";
import type {
  BatchCancelRequest,
  BatchPreview,
  BatchPreviewRequest,
  CancelFilter,
  CancelRequest,
  Operation,
  OperationSelection,
} from "../../common/dto.ts";
import { InputError, NotFoundError } from "../../common/errors.ts";
import type { EngineContext } from "../context.ts";
import { resolveProject } from "../services/catalog.ts";
import { type Actor, authorize } from "../services/identity.ts";
import { toBuild, toOperation } from "../services/mappers.ts";
import type { BuildMatch } from "../store/builds-repo.ts";
import type { PipelineRow, ProjectRow } from "../store/projects-repo.ts";
import { type AcceptCancelInput, acceptCancel, type CancelTargets } from "./accept-cancel.ts";
import { type Snapshot, selectionHash, signSnapshot, verifySnapshot } from "./snapshot.ts";

export type CancelCaller = { actor: Actor; source: OperationSource; idempotencyKey?: string | undefined };

/** One pipeline (`pipeline` given), or every pipeline of a project. */
export type CancelScope = { project: string; pipeline?: string | undefined };

type Scope = { project: ProjectRow; pipeline: PipelineRow | undefined; pipelines: Map<number, PipelineRow> };

const ACTIVE = ["QUEUED", "RUNNING"] as const;
const PREVIEW_FIRST = 20;

export async function previewCancel(
  ctx: EngineContext,
  actor: Actor,
  names: CancelScope,
  request: BatchPreviewRequest,
): Promise<BatchPreview> {
  const scope = await resolveScope(ctx, actor, names);
  checkSize(ctx, request);
  const targets = await targetsOf(ctx, scope, request, undefined);
  const match: BuildMatch =
    targets.kind === "match" ? targets.match : { projectId: scope.project.id, statuses: ACTIVE, ids: idsOf(targets) };
  const maxId = await ctx.store.builds.maxId();
  const { groups, first } = await ctx.store.builds.summarize({ ...match, maxId, first: PREVIEW_FIRST });
  const byStatus = { QUEUED: 0, RUNNING: 0 };
  const byPipeline: Record<string, number> = {};
  const upTo: Record<string, number> = {};
  for (const g of groups) {
    const name = scope.pipelines.get(g.pipelineId)?.name ?? String(g.pipelineId);
    if (g.status === "QUEUED" || g.status === "RUNNING") byStatus[g.status] += g.count;
    byPipeline[name] = (byPipeline[name] ?? 0) + g.count;
    upTo[name] = Math.max(upTo[name] ?? 0, g.maxNumber);
  }
  const at = ctx.now();
  const snapshot: Snapshot = {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    maxId,
    at,
    selection: selectionHash(selectionOf(request)),
  };
  return {
    total: byStatus.QUEUED + byStatus.RUNNING,
    byStatus,
    byPipeline,
    first: first.map(toBuild),
    upTo,
    snapshot: await signSnapshot(ctx, snapshot),
    expiresAt: new Date(at + ctx.settings.previewTtlSeconds * 1000).toISOString(),
  };
}

export async function batchCancel(
  ctx: EngineContext,
  caller: CancelCaller,
  names: CancelScope,
  request: BatchCancelRequest,
): Promise<Operation> {
  const scope = await resolveScope(ctx, caller.actor, names);
  checkSize(ctx, request);
  const snapshot = request.snapshot
    ? await verifySnapshot(ctx, request.snapshot, {
        projectId: scope.project.id,
        pipelineId: scope.pipeline?.id ?? null,
        selection: selectionHash(selectionOf(request)),
      })
    : undefined;
  const targets = await targetsOf(ctx, scope, request, snapshot);
  return accept(ctx, {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    selection: recordOf(request, snapshot),
    limited: true,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets,
    atomic: request.atomic,
    force: request.force,
    ...idempotency(caller, {
      scope: names,
      ...selectionOf(request),
      reason: request.reason,
      snapshot: request.snapshot,
      atomic: request.atomic,
      force: request.force,
    }),
  });
}

/** A single cancel: a batch of one, never refused by the running-operations limit. */
export async function cancelBuild(
  ctx: EngineContext,
  caller: CancelCaller,
  buildId: number,
  request: CancelRequest,
): Promise<Operation> {
  const build = await ctx.store.builds.findById({ id: buildId });
  const project = build ? await ctx.store.projects.findProjectById({ id: build.project_id }) : undefined;
  if (!build || !project) throw new NotFoundError(`Build ${buildId} not found`, undefined, "build_not_found");
  await authorize(ctx, caller.actor, project, "cancel");
  return accept(ctx, {
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    limited: false,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets: { kind: "ids", buildIds: [buildId] },
    atomic: true,
    force: request.force,
    ...idempotency(caller, { build: buildId, ...request }),
  });
}

/** The project (and pipeline) named, where the caller may cancel; every pipeline of the project by id. */
async function resolveScope(ctx: EngineContext, actor: Actor, names: CancelScope): Promise<Scope> {
  const project = await resolveProject(ctx, actor, names.project, "cancel");
  const all = await ctx.store.projects.listPipelines({ projectId: project.id });
  const pipelines = new Map(all.map((p) => [p.id, p]));
  if (names.pipeline === undefined) return { project, pipeline: undefined, pipelines };
  const pipeline = all.find((p) => p.name === names.pipeline);
  if (!pipeline) {
    throw new NotFoundError(
      `Pipeline "${names.pipeline}" not found in "${names.project}"`,
      undefined,
      "pipeline_not_found",
    );
  }
  return { project, pipeline, pipelines };
}

function checkSize(ctx: EngineContext, request: BatchPreviewRequest): void {
  const named = new Set(request.buildIds ?? request.buildNumbers ?? []).size;
  const limit = ctx.settings.batchCancelMaxIds;
  if (named > limit) {
    throw new InputError(`At most ${limit} builds per request; got ${named}`, { limit }, "too_many_builds");
  }
}

/**
 * The builds a request names, as the accept will freeze them. Explicit ids must all be builds of
 * the scope and numbers must all exist in the pipeline — checked without locking anything, so a
 * request naming another project's builds is a 404 that touched nothing.
 */
async function targetsOf(
  ctx: EngineContext,
  scope: Scope,
  request: BatchPreviewRequest,
  snapshot: Snapshot | undefined,
): Promise<CancelTargets> {
  const projectId = scope.project.id;
  const pipelineId = scope.pipeline?.id;
  if (request.buildIds) {
    const ids = [...new Set(request.buildIds)];
    const found = await ctx.store.builds.idsInScope({ ids, projectId, ...(pipelineId ? { pipelineId } : {}) });
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        `${missing.length} of the builds do not exist ${pipelineId ? "in this pipeline" : "in this project"}: ${list(missing)}`,
        { buildIds: missing },
        "builds_not_found",
      );
    }
    return { kind: "ids", buildIds: ids };
  }
  if (request.buildNumbers) {
    if (!scope.pipeline) throw new InputError("buildNumbers need a pipeline: numbers count per pipeline");
    const numbers = [...new Set(request.buildNumbers)];
    const rows = await ctx.store.builds.idsByNumbers({ pipelineId: scope.pipeline.id, numbers });
    const found = new Set(rows.map((r) => r.number));
    const missing = numbers.filter((n) => !found.has(n));
    if (missing.length > 0) {
      throw new NotFoundError(
        `${missing.length} of the builds do not exist in this pipeline: ${list(missing.map((n) => `#${n}`))}`,
        { buildNumbers: missing },
        "builds_not_found",
      );
    }
    return { kind: "ids", buildIds: rows.map((r) => r.id) };
  }
  const filter = request.filter as CancelFilter;
  return {
    kind: "match",
    match: {
      ...matchOf(scope, filter),
      ...(request.excludeBuildIds ? { excludeIds: request.excludeBuildIds } : {}),
      ...(snapshot ? { maxId: snapshot.maxId } : {}),
    },
    ...(snapshot ? { previewedAt: snapshot.at } : {}),
  };
}

/** A filter as a query over the scope's builds; unknown pipeline names are a 404 naming them. */
function matchOf(scope: Scope, filter: CancelFilter): BuildMatch {
  const before = filter.before;
  if (filter.pipelines && scope.pipeline) {
    throw new InputError("filter.pipelines is for a project-wide cancel; this one is in one pipeline");
  }
  if (typeof before === "number" && !scope.pipeline) {
    throw new InputError("filter.before as a build number needs a pipeline; give a time for a project-wide cancel");
  }
  let pipelineIds = scope.pipeline ? [scope.pipeline.id] : undefined;
  if (filter.pipelines) {
    const byName = new Map([...scope.pipelines.values()].map((p) => [p.name, p.id]));
    const unknown = filter.pipelines.filter((name) => !byName.has(name));
    if (unknown.length > 0) {
      throw new NotFoundError(
        `No pipeline ${list(unknown)} in "${scope.project.name}"`,
        { pipelines: unknown },
        "pipeline_not_found",
      );
    }
    pipelineIds = filter.pipelines.map((name) => byName.get(name) as number);
  }
  return {
    projectId: scope.project.id,
    ...(pipelineIds ? { pipelineIds } : {}),
    statuses: filter.status,
    ...(filter.branch !== undefined ? { branch: filter.branch } : {}),
    ...(filter.triggeredBy !== undefined ? { triggeredBy: filter.triggeredBy } : {}),
    ...(typeof before === "number" ? { beforeNumber: before } : {}),
    ...(typeof before === "string" ? { beforeTime: Date.parse(before) } : {}),
  };
}

/** The part of a request that says which builds: what a snapshot is bound to. */
function selectionOf(request: BatchPreviewRequest) {
  return {
    buildIds: request.buildIds,
    buildNumbers: request.buildNumbers,
    filter: request.filter,
    excludeBuildIds: request.excludeBuildIds,
  };
}

function recordOf(request: BatchCancelRequest, snapshot: Snapshot | undefined): OperationSelection {
  return {
    ...(request.filter ? { filter: request.filter } : {}),
    ...(request.buildIds ? { buildIds: new Set(request.buildIds).size } : {}),
    ...(request.buildNumbers ? { buildNumbers: [...new Set(request.buildNumbers)].slice(0, 100) } : {}),
    ...(request.excludeBuildIds ? { excluded: new Set(request.excludeBuildIds).size } : {}),
    ...(snapshot ? { preview: { at: new Date(snapshot.at).toISOString(), maxBuildId: snapshot.maxId } } : {}),
  };
}

function idsOf(targets: CancelTargets): number[] {
  return targets.kind === "ids" ? [...targets.buildIds] : [];
}

function list(items: readonly (string | number)[]): string {
  return `${items.slice(0, 20).join(", ")}${items.length > 20 ? ", …" : ""}`;
}

function idempotency(caller: CancelCaller, body: unknown): Pick<AcceptCancelInput, "idempotency"> {
  if (!caller.idempotencyKey) return {};
  const requestHash = crypto.createHash("sha256").update(JSON.stringify(body)).digest("hex");
  return { idempotency: { key: caller.idempotencyKey, requestHash } };
}

async function accept(ctx: EngineContext, input: AcceptCancelInput): Promise<Operation> {
  try {
    return toOperation(await ctx.store.transaction((tx) => acceptCancel(ctx, tx, input)));
  } catch (err) {
    // Two requests with one Idempotency-Key raced; the loser returns the winner's operation.
    if (input.idempotency && isUniqueViolation(err)) {
      return toOperation(await ctx.store.transaction((tx) => acceptCancel(ctx, tx, input)));
    }
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
