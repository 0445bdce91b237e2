/** The page-shaped reads: one BFF call gathers what a page needs from several engine calls, in parallel. */
import type { HistoryResponse, MeResponse, PipelinesResponse, ProjectAccess } from "../../common/bff-api.ts";
import type { BuildTriggerKind } from "../../common/contract/builds.ts";
import type { Me } from "../../common/contract/identity.ts";
import type { EngineClient } from "../../common/engine-client.ts";
import { NotFoundError } from "../../common/errors.ts";
import { csrfFor } from "../session.ts";

export async function me(engine: EngineClient, sessionToken: string): Promise<MeResponse> {
  const me = await engine.call("me", {});
  return {
    user: { username: me.username, isAdmin: me.isAdmin },
    csrfToken: csrfFor(sessionToken),
    projects: me.projects,
  };
}

function projectAccess(me: Me, project: string): ProjectAccess {
  const access = me.projects.find((p) => p.name === project);
  if (!access) throw new NotFoundError(`Project "${project}" not found`, undefined, "project_not_found");
  return access;
}

export async function pipelines(engine: EngineClient, project: string): Promise<PipelinesResponse> {
  const [me, list] = await Promise.all([engine.call("me", {}), engine.call("listPipelines", { params: { project } })]);
  return { project: projectAccess(me, project), items: list.items };
}

export type HistoryQuery = {
  status?: string;
  branch?: string;
  trigger?: BuildTriggerKind;
  pullRequest?: string;
  cursor?: string;
  limit?: string;
};

export async function history(
  engine: EngineClient,
  project: string,
  pipeline: string,
  query: HistoryQuery,
): Promise<HistoryResponse> {
  const branch = query.branch || undefined;
  const params = { project, pipeline };
  const [me, definition, builds, counts, operations] = await Promise.all([
    engine.call("me", {}),
    engine.call("getPipeline", { params }),
    engine.call("listBuilds", {
      params,
      query: {
        status: query.status,
        branch,
        trigger: query.trigger,
        pullRequest: query.pullRequest,
        cursor: query.cursor,
        limit: query.limit,
      },
    }),
    engine.call("countBuilds", { params, query: { branch } }),
    // The caller's own operations on the pipeline that are still running (the page resumes their toasts).
    engine.call("listOperations", {
      params: { project },
      query: { pipeline, status: "running", mine: "1", limit: "100" },
    }),
  ]);
  const { source: _source, definition: declared, ...summary } = definition;
  return {
    pipeline: { ...summary, cancelGraceSeconds: declared.cancelGraceSeconds, params: declared.params },
    builds,
    counts,
    // Whole pipeline, whatever the filters: what "Cancel all running" would cancel.
    activeCount: summary.active.queued + summary.active.running,
    permissions: projectAccess(me, project).permissions,
    operations: operations.items,
  };
}
