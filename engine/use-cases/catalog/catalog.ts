/** Projects and pipelines: creating, finding (with permission checks) and listing them. */
import type { Pipeline, PipelineSummary, Project, ProjectRequest, StatusCounts } from "../../../common/dto.ts";
import { ForbiddenError, InputError, NotFoundError } from "../../../common/errors.ts";
import { BUILD_STATUSES } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import { branchPatternsProblem } from "../../domain/branch-filter.ts";
import { type PipelineDefinition, parsePipelineDefinition } from "../../domain/pipeline-definition.ts";
import type { PipelineRow, ProjectRow } from "../../store/projects-repo.ts";
import { type Action, type Actor, authorize, readableProjectIds } from "../identity/identity.ts";
import { iso, toBuild } from "../mappers.ts";
import { bulkCancelSettingsOf, protectedBranchesOf } from "./project-settings.ts";

export type ResolvedPipeline = { project: ProjectRow; pipeline: PipelineRow; definition: PipelineDefinition };

export function toProject(row: ProjectRow): Project {
  return {
    name: row.name,
    displayName: row.display_name,
    createdAt: iso(row.created_at) as string,
    protectedBranches: protectedBranchesOf(row),
    bulkCancel: bulkCancelSettingsOf(row),
  };
}

export async function resolveProject(
  ctx: EngineContext,
  actor: Actor,
  name: string,
  action: Action,
): Promise<ProjectRow> {
  const project = await ctx.store.projects.findProject({ name });
  if (!project) throw new NotFoundError(`Project "${name}" not found`, undefined, "project_not_found");
  await authorize(ctx, actor, project, action);
  return project;
}

export async function resolvePipeline(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; pipeline: string },
  action: Action,
): Promise<ResolvedPipeline> {
  const project = await resolveProject(ctx, actor, names.project, action);
  const pipeline = await ctx.store.projects.findPipeline({ projectId: project.id, name: names.pipeline });
  if (!pipeline) {
    throw new NotFoundError(
      `Pipeline "${names.pipeline}" not found in "${names.project}"`,
      undefined,
      "pipeline_not_found",
    );
  }
  // Definitions saved before parameters were declared have none.
  const stored = JSON.parse(pipeline.definition) as PipelineDefinition;
  return { project, pipeline, definition: { ...stored, params: stored.params ?? {} } };
}

export async function putProject(
  ctx: EngineContext,
  actor: Actor,
  name: string,
  request: ProjectRequest,
): Promise<{ project: Project; created: boolean }> {
  const existing = await ctx.store.projects.findProject({ name });
  if (existing) await authorize(ctx, actor, existing, "edit");
  else if (!actor.isAdmin) throw new ForbiddenError("Only an admin may create projects");
  const patterns = request.protectedBranches;
  const problem = patterns ? branchPatternsProblem(patterns) : null;
  if (problem) {
    throw new InputError(`protectedBranches: ${problem}`, { field: "protectedBranches" }, "invalid_branch_pattern");
  }
  const row = await ctx.store.projects.upsertProject({
    name,
    displayName: request.displayName ?? existing?.display_name ?? name,
    ...(patterns ? { protectedBranches: patterns.length > 0 ? JSON.stringify(patterns) : null } : {}),
    ...(request.bulkCancel
      ? { bulkCancel: JSON.stringify({ ...(existing ? bulkCancelSettingsOf(existing) : {}), ...request.bulkCancel }) }
      : {}),
    now: ctx.now(),
  });
  return { project: toProject(row), created: !existing };
}

export async function listProjects(ctx: EngineContext, actor: Actor): Promise<Project[]> {
  const ids = await readableProjectIds(ctx, actor);
  const rows = await ctx.store.projects.listProjects(ids ? { ids } : {});
  return rows.map(toProject);
}

export async function getProject(ctx: EngineContext, actor: Actor, name: string): Promise<Project> {
  return toProject(await resolveProject(ctx, actor, name, "read"));
}

export async function putPipeline(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; pipeline: string },
  body: string | unknown,
): Promise<{ pipeline: Pipeline; created: boolean }> {
  const project = await resolveProject(ctx, actor, names.project, "edit");
  const definition = parsePipelineDefinition(body);
  if (
    definition.repository &&
    !(await ctx.store.repositories.find({ projectId: project.id, name: definition.repository }))
  ) {
    throw new InputError(
      `repository: "${definition.repository}" is not a repository of "${project.name}"; add it first (PUT .../repositories/${definition.repository})`,
      { field: "repository" },
      "pipeline_repository_unknown",
    );
  }
  const source = typeof body === "string" ? body : JSON.stringify(body, null, 2);
  const { row, created } = await ctx.store.projects.upsertPipeline({
    projectId: project.id,
    name: names.pipeline,
    source,
    definition: JSON.stringify(definition),
    now: ctx.now(),
  });
  const [summary] = await summarize(ctx, project, [row]);
  return { pipeline: { ...(summary as PipelineSummary), source: row.source, definition }, created };
}

export async function getPipeline(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; pipeline: string },
): Promise<Pipeline> {
  const { project, pipeline, definition } = await resolvePipeline(ctx, actor, names, "read");
  const [summary] = await summarize(ctx, project, [pipeline]);
  return { ...(summary as PipelineSummary), source: pipeline.source, definition };
}

export async function listPipelines(ctx: EngineContext, actor: Actor, projectName: string): Promise<PipelineSummary[]> {
  const project = await resolveProject(ctx, actor, projectName, "read");
  const rows = await ctx.store.projects.listPipelines({ projectId: project.id });
  return summarize(ctx, project, rows);
}

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(BUILD_STATUSES.map((s) => [s, 0])) as StatusCounts;
}

async function summarize(ctx: EngineContext, project: ProjectRow, rows: PipelineRow[]): Promise<PipelineSummary[]> {
  const pipelineIds = rows.map((r) => r.id);
  const [counts, latest] = await Promise.all([
    ctx.store.builds.countByStatus({ pipelineIds, statuses: ["QUEUED", "RUNNING", "CANCELING"] }),
    ctx.store.builds.latestPerPipeline({ pipelineIds }),
  ]);
  return rows.map((row) => {
    const c = emptyCounts();
    for (const entry of counts) if (entry.pipelineId === row.id) c[entry.status] = entry.count;
    const active = { queued: c.QUEUED, running: c.RUNNING, canceling: c.CANCELING };
    const last = latest.find((b) => b.pipeline_id === row.id);
    return {
      project: project.name,
      name: row.name,
      createdAt: iso(row.created_at) as string,
      updatedAt: iso(row.updated_at) as string,
      active,
      lastBuild: last ? toBuild(last) : null,
    };
  });
}
