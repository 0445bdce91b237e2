/** A project's repositories and their inbound deliveries (the delivery log). */
import type { Insertable, Selectable, Updateable } from "kysely";
import type { Dialect, Executor, HookDeliveriesTable, RepositoriesTable } from "./schema.ts";

export type RepositoryRow = Selectable<RepositoriesTable>;
export type HookDeliveryRow = Selectable<HookDeliveriesTable>;
export type NewHookDelivery = Omit<Insertable<HookDeliveriesTable>, "id">;

export class RepositoriesRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(row: Omit<Insertable<RepositoriesTable>, "id">): Promise<RepositoryRow> {
    return this.db.insertInto("repositories").values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(opts: { id: number; set: Updateable<RepositoriesTable> }): Promise<RepositoryRow> {
    return this.db
      .updateTable("repositories")
      .set(opts.set)
      .where("id", "=", opts.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async find(opts: { projectId: number; name: string }): Promise<RepositoryRow | undefined> {
    return this.db
      .selectFrom("repositories")
      .selectAll()
      .where("project_id", "=", opts.projectId)
      .where("name", "=", opts.name)
      .executeTakeFirst();
  }

  /** A repository by its project's name and its own (the hook URL names both). */
  async findByNames(opts: { project: string; name: string }): Promise<RepositoryRow | undefined> {
    return this.db
      .selectFrom("repositories as r")
      .innerJoin("projects as p", "p.id", "r.project_id")
      .selectAll("r")
      .where("p.name", "=", opts.project)
      .where("r.name", "=", opts.name)
      .executeTakeFirst();
  }

  async findById(opts: { id: number }): Promise<RepositoryRow | undefined> {
    return this.db.selectFrom("repositories").selectAll().where("id", "=", opts.id).executeTakeFirst();
  }

  async findManyById(opts: { ids: readonly number[] }): Promise<RepositoryRow[]> {
    if (opts.ids.length === 0) return [];
    return this.db
      .selectFrom("repositories")
      .selectAll()
      .where("id", "in", opts.ids as number[])
      .execute();
  }

  async list(opts: { projectId: number }): Promise<RepositoryRow[]> {
    return this.db
      .selectFrom("repositories")
      .selectAll()
      .where("project_id", "=", opts.projectId)
      .orderBy("name")
      .execute();
  }

  /** Repositories that report build states on commits: statuses on, credentials set, a provider with a status API. */
  async reporting(): Promise<RepositoryRow[]> {
    return this.db
      .selectFrom("repositories")
      .selectAll()
      .where("statuses", "=", 1)
      .where("credentials", "is not", null)
      .where("provider", "<>", "generic")
      .execute();
  }

  /** Stores a delivery unless its delivery id was seen for this repository; the new row, or undefined. */
  async insertDelivery(row: NewHookDelivery): Promise<HookDeliveryRow | undefined> {
    return this.db
      .insertInto("hook_deliveries")
      .values(row)
      .onConflict((oc) => oc.columns(["repository_id", "delivery_id"]).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  async deliveryByDeliveryId(opts: { repositoryId: number; deliveryId: string }): Promise<HookDeliveryRow | undefined> {
    return this.db
      .selectFrom("hook_deliveries")
      .selectAll()
      .where("repository_id", "=", opts.repositoryId)
      .where("delivery_id", "=", opts.deliveryId)
      .executeTakeFirst();
  }

  async deliveryById(opts: { repositoryId: number; id: number }): Promise<HookDeliveryRow | undefined> {
    return this.db
      .selectFrom("hook_deliveries")
      .selectAll()
      .where("repository_id", "=", opts.repositoryId)
      .where("id", "=", opts.id)
      .executeTakeFirst();
  }

  /** A delivery, locked until the transaction ends (PostgreSQL), so one engine processes it. */
  async lockDelivery(opts: { id: number }): Promise<HookDeliveryRow | undefined> {
    let q = this.db.selectFrom("hook_deliveries").selectAll().where("id", "=", opts.id);
    if (this.dialect === "postgres") q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async finishDelivery(opts: {
    id: number;
    status: HookDeliveryRow["status"];
    reason: string | null;
    effects: object;
    now: number;
  }): Promise<void> {
    await this.db
      .updateTable("hook_deliveries")
      .set({ status: opts.status, reason: opts.reason, effects: JSON.stringify(opts.effects), processed_at: opts.now })
      .where("id", "=", opts.id)
      .execute();
  }

  /** Deletes processed deliveries received before `before`, at most `limit` of them; how many went. */
  async pruneDeliveries(opts: { before: number; limit: number }): Promise<number> {
    const ids = (
      await this.db
        .selectFrom("hook_deliveries")
        .select("id")
        .where("received_at", "<", opts.before)
        .where("status", "<>", "pending")
        .orderBy("id")
        .limit(opts.limit)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    await this.db.deleteFrom("hook_deliveries").where("id", "in", ids).execute();
    return ids.length;
  }

  /** A page of a repository's delivery log, newest first. */
  async deliveries(opts: { repositoryId: number; beforeId?: number; limit: number }): Promise<HookDeliveryRow[]> {
    let q = this.db.selectFrom("hook_deliveries").selectAll().where("repository_id", "=", opts.repositoryId);
    if (opts.beforeId !== undefined) q = q.where("id", "<", opts.beforeId);
    return q.orderBy("id", "desc").limit(opts.limit).execute();
  }
}
