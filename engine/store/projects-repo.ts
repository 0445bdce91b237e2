/** Projects and pipelines. */
import { type Selectable, sql } from "kysely";
import type { Dialect, Executor, PipelinesTable, ProjectsTable } from "./schema.ts";

export type ProjectRow = Selectable<ProjectsTable>;
export type PipelineRow = Selectable<PipelinesTable>;

export class ProjectsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /** `protectedBranches`: the JSON list to store (null clears it); left as it is when undefined. */
  async upsertProject(opts: {
    name: string;
    displayName: string;
    protectedBranches?: string | null;
    /** The JSON guardrails to store; left as they are when undefined. */
    bulkCancel?: string;
    now: number;
  }): Promise<ProjectRow> {
    const settings = {
      ...(opts.protectedBranches !== undefined ? { protected_branches: opts.protectedBranches } : {}),
      ...(opts.bulkCancel !== undefined ? { bulk_cancel: opts.bulkCancel } : {}),
    };
    return this.db
      .insertInto("projects")
      .values({ name: opts.name, display_name: opts.displayName, created_at: opts.now, ...settings })
      .onConflict((oc) => oc.column("name").doUpdateSet({ display_name: opts.displayName, ...settings }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async findProject(opts: { name: string }): Promise<ProjectRow | undefined> {
    return this.db.selectFrom("projects").selectAll().where("name", "=", opts.name).executeTakeFirst();
  }

  async findProjectById(opts: { id: number }): Promise<ProjectRow | undefined> {
    return this.db.selectFrom("projects").selectAll().where("id", "=", opts.id).executeTakeFirst();
  }

  async listProjects(opts: { ids?: number[] }): Promise<ProjectRow[]> {
    let q = this.db.selectFrom("projects").selectAll().orderBy("name");
    if (opts.ids) {
      if (opts.ids.length === 0) return [];
      q = q.where("id", "in", opts.ids);
    }
    return q.execute();
  }

  async upsertPipeline(opts: {
    projectId: number;
    name: string;
    source: string;
    definition: string;
    now: number;
  }): Promise<{ row: PipelineRow; created: boolean }> {
    const existing = await this.findPipeline({ projectId: opts.projectId, name: opts.name });
    if (existing) {
      const row = await this.db
        .updateTable("pipelines")
        .set({ source: opts.source, definition: opts.definition, updated_at: opts.now })
        .where("id", "=", existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { row, created: false };
    }
    const row = await this.db
      .insertInto("pipelines")
      .values({
        project_id: opts.projectId,
        name: opts.name,
        source: opts.source,
        definition: opts.definition,
        next_number: 1,
        created_at: opts.now,
        updated_at: opts.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, created: true };
  }

  async findPipeline(opts: { projectId: number; name: string }): Promise<PipelineRow | undefined> {
    return this.db
      .selectFrom("pipelines")
      .selectAll()
      .where("project_id", "=", opts.projectId)
      .where("name", "=", opts.name)
      .executeTakeFirst();
  }

  async findPipelineById(opts: { id: number }): Promise<PipelineRow | undefined> {
    return this.db.selectFrom("pipelines").selectAll().where("id", "=", opts.id).executeTakeFirst();
  }

  async findPipelinesByIds(opts: { ids: number[] }): Promise<PipelineRow[]> {
    if (opts.ids.length === 0) return [];
    return this.db.selectFrom("pipelines").selectAll().where("id", "in", opts.ids).execute();
  }

  async listPipelines(opts: { projectId: number }): Promise<PipelineRow[]> {
    return this.db
      .selectFrom("pipelines")
      .selectAll()
      .where("project_id", "=", opts.projectId)
      .orderBy("name")
      .execute();
  }

  /**
   * Takes the pipeline's next build number (or `count` consecutive ones, returning the first);
   * on PostgreSQL this also locks the pipeline row until commit.
   */
  async allocateBuildNumber(opts: { pipelineId: number; count?: number }): Promise<number> {
    const count = opts.count ?? 1;
    const row = await this.db
      .updateTable("pipelines")
      .set({ next_number: sql`next_number + ${count}` })
      .where("id", "=", opts.pipelineId)
      .returning("next_number")
      .executeTakeFirstOrThrow();
    return row.next_number - count;
  }
}
