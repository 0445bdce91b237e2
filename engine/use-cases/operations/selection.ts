/**
 * Which builds a bulk operation names, shared by every kind: the scope (one pipeline, or a whole
 * project), explicit ids or numbers (checked to exist there before anything is locked), a filter
 * (bound to a preview's snapshot when it has one), or what an earlier operation canceled; and the
 * preview of it.
 */
import type {
  BatchPreview,
  Build,
  BulkImpact,
  CancelFilter,
  OperationSelection,
  RerunFilter,
} from "../../../common/dto.ts";
import { ConflictError, InputError, NotFoundError } from "../../../common/errors.ts";
import { BUILD_STATUSES, type BuildStatus } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import { type Narrowed, type Narrowing, narrow } from "../../domain/bulk-selection.ts";
import type { BuildMatch } from "../../store/builds-repo.ts";
import type { PipelineRow, ProjectRow } from "../../store/projects-repo.ts";
import { resolveProject } from "../catalog/catalog.ts";
import { bulkCancelSettingsOf, protectedBranchesOf } from "../catalog/project-settings.ts";
import type { Action, Actor } from "../identity/identity.ts";
import { toBuild } from "../mappers.ts";
import { confirmationFor } from "./guardrails.ts";
import { impactOf, impactSummary } from "./impact.ts";
import { type Snapshot, selectionHash, signSnapshot, verifySnapshot } from "./snapshot.ts";

/** One pipeline (`pipeline` given), or every pipeline of a project. */
export type ScopeNames = { project: string; pipeline?: string | undefined };

export type Scope = { project: ProjectRow; pipeline: PipelineRow | undefined; pipelines: Map<number, PipelineRow> };

export type SelectionRequest = {
  buildIds?: number[] | undefined;
  buildNumbers?: number[] | undefined;
  filter?: CancelFilter | RerunFilter | undefined;
  excludeBuildIds?: number[] | undefined;
  fromOperation?: string | undefined;
};

/**
 * The builds named: ids already checked to be in scope, or a filter to freeze — narrowed by its
 * keep-newest and the project's protected branches, the outcome bound to a preview's (`narrowed`).
 */
export type Selected =
  | { kind: "ids"; buildIds: number[] }
  | { kind: "match"; match: BuildMatch; previewedAt?: number; narrowing?: Narrowing; narrowed?: string };

const PREVIEW_FIRST = 20;

/** The project (and pipeline) named, where the caller may do `action`; every pipeline of the project. */
export async function resolveScope(
  ctx: EngineContext,
  actor: Actor,
  names: ScopeNames,
  action: Action,
): Promise<Scope> {
  const project = await resolveProject(ctx, actor, names.project, action);
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

/**
 * What every bulk accept does first, in order: the scope where the caller may do `action`, the
 * request's size, its preview snapshot (if any) verified, and the builds it names.
 */
export async function selectFor(
  ctx: EngineContext,
  actor: Actor,
  names: ScopeNames,
  action: Action,
  request: SelectionRequest & { snapshot?: string | undefined },
): Promise<{ scope: Scope; snapshot: Snapshot | undefined; selected: Selected }> {
  const scope = await resolveScope(ctx, actor, names, action);
  checkSize(ctx, request);
  const snapshot = await snapshotOf(ctx, scope, request);
  const selected = await selectedBy(ctx, scope, request, snapshot, action);
  return { scope, snapshot, selected };
}

export function checkSize(ctx: EngineContext, request: SelectionRequest): void {
  const named = new Set(request.buildIds ?? request.buildNumbers ?? []).size;
  const limit = ctx.settings.batchCancelMaxIds;
  if (named > limit) {
    throw new InputError(`At most ${limit} builds per request; got ${named}`, { limit }, "too_many_builds");
  }
}

/** The part of a request that says which builds: what a snapshot is bound to. */
export function selectionOf(request: SelectionRequest) {
  return {
    buildIds: request.buildIds,
    buildNumbers: request.buildNumbers,
    filter: request.filter,
    excludeBuildIds: request.excludeBuildIds,
    fromOperation: request.fromOperation,
  };
}

/** The snapshot a confirming request sends back, verified against the scope and the selection. */
export async function snapshotOf(
  ctx: EngineContext,
  scope: Scope,
  request: SelectionRequest & { snapshot?: string | undefined },
): Promise<Snapshot | undefined> {
  if (!request.snapshot) return undefined;
  return verifySnapshot(ctx, request.snapshot, {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    selection: selectionHash(selectionOf(request)),
  });
}

/**
 * The builds a request names. Explicit ids must all be builds of the scope and numbers must all
 * exist in the pipeline — checked without locking anything, so a request naming another
 * project's builds is a 404 that touched nothing.
 */
export async function selectedBy(
  ctx: EngineContext,
  scope: Scope,
  request: SelectionRequest,
  snapshot: Snapshot | undefined,
  action: Action,
): Promise<Selected> {
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
  if (request.fromOperation) {
    const op = await ctx.store.operations.find({ id: request.fromOperation });
    if (!op || op.project_id !== projectId || (pipelineId !== undefined && op.pipeline_id !== pipelineId)) {
      throw new NotFoundError(`Operation ${request.fromOperation} not found here`, undefined, "operation_not_found");
    }
    if (op.rerun_by !== null) throw alreadyRerun(op.rerun_by);
    return {
      kind: "ids",
      buildIds: await ctx.store.operations.buildIdsWithOutcome({ id: op.id, outcome: "canceled" }),
    };
  }
  const narrowing = narrowingOf(scope, request.filter as CancelFilter | RerunFilter, action);
  return {
    kind: "match",
    match: {
      ...matchOf(scope, request.filter as CancelFilter | RerunFilter),
      ...(request.excludeBuildIds ? { excludeIds: request.excludeBuildIds } : {}),
      ...(snapshot ? { maxId: snapshot.maxId } : {}),
    },
    ...(snapshot ? { previewedAt: snapshot.at } : {}),
    ...(narrowing ? { narrowing } : {}),
    ...(snapshot?.narrowed ? { narrowed: snapshot.narrowed } : {}),
  };
}

/**
 * What narrows a cancel's filter: its keep-newest, and the project's protected branches unless
 * the filter includes them. Undefined when nothing does (nothing more to read).
 */
function narrowingOf(scope: Scope, filter: CancelFilter | RerunFilter, action: Action): Narrowing | undefined {
  if (action !== "cancel") return undefined;
  const cancel = filter as CancelFilter;
  const patterns = cancel.includeProtectedBranches ? [] : protectedBranchesOf(scope.project);
  if (!cancel.keepNewest && patterns.length === 0) return undefined;
  return {
    ...(cancel.keepNewest ? { keepNewest: cancel.keepNewest } : {}),
    ...(patterns.length > 0 ? { protectedBranches: patterns } : {}),
  };
}

/** What a preview binds a narrowed selection to: the builds it kept and the patterns it left out by. */
export function narrowedHash(narrowing: Narrowing, narrowed: Narrowed): string {
  return selectionHash({ kept: narrowed.kept, patterns: narrowing.protectedBranches ?? [] });
}

/** A filter as a query over the scope's builds; unknown pipeline names are a 404 naming them. */
function matchOf(scope: Scope, filter: CancelFilter | RerunFilter): BuildMatch {
  const before = filter.before;
  if (filter.pipelines && scope.pipeline) {
    throw new InputError("filter.pipelines is for a project-wide operation; this one is in one pipeline");
  }
  if (typeof before === "number" && !scope.pipeline) {
    throw new InputError("filter.before as a build number needs a pipeline; give a time for a project-wide operation");
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
    ...(filter.trigger !== undefined ? { trigger: filter.trigger } : {}),
    ...(filter.pullRequest !== undefined ? { pullRequestNumber: filter.pullRequest } : {}),
    ...(typeof before === "number" ? { beforeNumber: before } : {}),
    ...(typeof before === "string" ? { beforeTime: Date.parse(before) } : {}),
  };
}

/**
 * A preview, the same steps for every kind of bulk action: resolve the scope with the right the
 * kind needs, check the request, and count what it reaches now (only builds in `statuses` when
 * ids are named) by status and pipeline, with the newest ones and the signed snapshot to confirm
 * with. Nothing changes.
 */
export async function preview(
  ctx: EngineContext,
  actor: Actor,
  names: ScopeNames,
  request: SelectionRequest,
  kind: { action: Action; statuses: readonly BuildStatus[] },
): Promise<BatchPreview> {
  const scope = await resolveScope(ctx, actor, names, kind.action);
  checkSize(ctx, request);
  const selected = await selectedBy(ctx, scope, request, undefined, kind.action);
  const statuses = kind.statuses;
  let match: BuildMatch =
    selected.kind === "match" ? selected.match : { projectId: scope.project.id, statuses, ids: selected.buildIds };
  const maxId = await ctx.store.builds.maxId();
  const narrowing = selected.kind === "match" ? selected.narrowing : undefined;
  let narrowed: Narrowed | undefined;
  if (narrowing) {
    narrowed = narrow(await ctx.store.builds.candidates({ ...match, maxId }), narrowing);
    const out = [...narrowed.leftOut, ...narrowed.kept];
    if (out.length > 0) match = { ...match, excludeIds: [...(match.excludeIds ?? []), ...out] };
  }
  const { groups, first } = await ctx.store.builds.summarize({ ...match, maxId, first: PREVIEW_FIRST });
  const guarded = await ctx.store.builds.countProtected({ ...match, maxId });
  const byStatus = Object.fromEntries(BUILD_STATUSES.map((s) => [s, 0])) as Record<BuildStatus, number>;
  const byPipeline: Record<string, number> = {};
  const upTo: Record<string, number> = {};
  for (const g of groups) {
    const name = scope.pipelines.get(g.pipelineId)?.name ?? String(g.pipelineId);
    byStatus[g.status as BuildStatus] += g.count;
    byPipeline[name] = (byPipeline[name] ?? 0) + g.count;
    upTo[name] = Math.max(upTo[name] ?? 0, g.maxNumber);
  }
  let impact: BulkImpact | undefined;
  let confirmation: BatchPreview["confirmation"];
  if (kind.action === "cancel") {
    const settings = bulkCancelSettingsOf(scope.project);
    const stages = settings.confirmStages.length > 0 ? await ctx.store.builds.runningStages({ ...match, maxId }) : [];
    const total = groups.reduce((n, g) => n + g.count, 0);
    confirmation = confirmationFor(settings, total, stages);
    const queuedPerPipeline = new Map<number, number>();
    for (const g of groups) if (g.status === "QUEUED") queuedPerPipeline.set(g.pipelineId, g.count);
    impact = await impactOf(ctx, { ...match, maxId }, { queuedPerPipeline, protectedBuilds: guarded });
  }
  const at = ctx.now();
  const snapshot: Snapshot = {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    maxId,
    at,
    selection: selectionHash(selectionOf(request)),
    ...(narrowing && narrowed ? { narrowed: narrowedHash(narrowing, narrowed) } : {}),
    ...(impact ? { impact: impactSummary(impact, { running: byStatus.RUNNING, queued: byStatus.QUEUED }) } : {}),
    ...(confirmation?.required ? { confirm: Object.values(byStatus).reduce((a, b) => a + b, 0) } : {}),
  };
  const keptBuilds = narrowed
    ? await ctx.store.builds.findManyById({ ids: narrowed.kept.slice(0, PREVIEW_FIRST) })
    : [];
  const filter = request.filter as CancelFilter | undefined;
  return {
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    protected: guarded,
    byPipeline,
    first: first.map((row): Build => toBuild(row)),
    upTo,
    snapshot: await signSnapshot(ctx, snapshot),
    expiresAt: new Date(at + ctx.settings.previewTtlSeconds * 1000).toISOString(),
    kept: narrowed?.kept.length ?? 0,
    keptBuilds: keptBuilds.map((row): Build => toBuild(row)),
    keptKeys: narrowed?.keys ?? 0,
    leftOut: {
      protectedBranches: narrowed?.leftOut.length ?? 0,
      patterns: kind.action === "cancel" ? protectedBranchesOf(scope.project) : [],
      included: filter?.includeProtectedBranches === true,
    },
    ...(impact ? { impact } : {}),
    ...(confirmation ? { confirmation } : {}),
  };
}

/** What an operation targeted, kept with it (the operations centre shows it). */
export function recordOf(request: SelectionRequest, snapshot: Snapshot | undefined): OperationSelection {
  return {
    ...(request.filter ? { filter: request.filter } : {}),
    ...(request.buildIds ? { buildIds: new Set(request.buildIds).size } : {}),
    ...(request.buildNumbers ? { buildNumbers: [...new Set(request.buildNumbers)].slice(0, 100) } : {}),
    ...(request.excludeBuildIds ? { excluded: new Set(request.excludeBuildIds).size } : {}),
    ...(request.fromOperation ? { fromOperation: request.fromOperation } : {}),
    ...(snapshot ? { preview: { at: new Date(snapshot.at).toISOString(), maxBuildId: snapshot.maxId } } : {}),
    ...(snapshot?.impact ? { impact: snapshot.impact } : {}),
  };
}

/** 409 `already_rerun`: an operation's canceled builds are run again once; `by` is the re-run. */
export function alreadyRerun(by: string | null): ConflictError {
  return new ConflictError("already_rerun", "This operation was re-run already; it can be re-run only once", {
    operationId: by,
  });
}

function list(items: readonly (string | number)[]): string {
  return `${items.slice(0, 20).join(", ")}${items.length > 20 ? ", …" : ""}`;
}
