/** Project and pipeline names by pipeline id, cached (pipelines are never renamed or deleted). */
import type { Store } from "./store.ts";

export type PipelineName = { project: string; pipeline: string; projectId: number };

export class PipelineNames {
  private readonly cache = new Map<number, PipelineName>();

  async get(store: Store, pipelineIds: Iterable<number>): Promise<Map<number, PipelineName>> {
    const missing = [...new Set(pipelineIds)].filter((id) => !this.cache.has(id));
    if (missing.length > 0) {
      const pipelines = await store.projects.findPipelinesByIds({ ids: missing });
      const projects = await store.projects.listProjects({ ids: [...new Set(pipelines.map((p) => p.project_id))] });
      const projectName = new Map(projects.map((p) => [p.id, p.name]));
      for (const p of pipelines) {
        this.cache.set(p.id, {
          project: projectName.get(p.project_id) ?? "",
          pipeline: p.name,
          projectId: p.project_id,
        });
      }
    }
    return this.cache;
  }
}
