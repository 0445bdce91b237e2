/**
 * Webhook endpoints, their deliveries and attempts, and the outbox cursors of durable readers.
 * Deliveries of a dispatch are inserted in one statement however many there are.
 */
import { type Selectable, sql, type Updateable } from "kysely";
import type { Dialect, Executor, WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from "./schema.ts";
import { rowsFromJson } from "./sql.ts";

/** The webhook dispatcher's outbox cursor (`outbox_cursors.name`). */
export const WEBHOOK_CURSOR = "webhooks";

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;
export type NewDelivery = Pick<
  WebhookDeliveriesTable,
  "guid" | "webhook_id" | "event" | "body" | "items" | "redelivery_of" | "created_at"
>;
/** What the dispatcher needs of an endpoint to route events to it. */
export type Subscription = Pick<WebhookRow, "id" | "project_id" | "events" | "from_seq">;

export class WebhooksRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(opts: {
    projectId: number;
    url: string;
    secret: string;
    events: readonly string[];
    active: boolean;
    createdBy: string;
    fromSeq: number;
    now: number;
  }): Promise<WebhookRow> {
    return this.db
      .insertInto("webhooks")
      .values({
        project_id: opts.projectId,
        url: opts.url,
        secret: opts.secret,
        events: JSON.stringify(opts.events),
        active: opts.active ? 1 : 0,
        disabled_reason: null,
        disabled_at: null,
        failing_since: null,
        from_seq: opts.fromSeq,
        next_send_at: 0,
        created_by: opts.createdBy,
        created_at: opts.now,
        updated_at: opts.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async list(opts: { projectId: number }): Promise<WebhookRow[]> {
    return this.db.selectFrom("webhooks").selectAll().where("project_id", "=", opts.projectId).orderBy("id").execute();
  }

  async find(opts: { id: number; projectId: number }): Promise<WebhookRow | undefined> {
    return this.db
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", opts.id)
      .where("project_id", "=", opts.projectId)
      .executeTakeFirst();
  }

  async findById(opts: { id: number }): Promise<WebhookRow | undefined> {
    return this.db.selectFrom("webhooks").selectAll().where("id", "=", opts.id).executeTakeFirst();
  }

  async update(opts: { id: number; set: Updateable<WebhooksTable> }): Promise<WebhookRow> {
    return this.db
      .updateTable("webhooks")
      .set(opts.set)
      .where("id", "=", opts.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async remove(opts: { id: number }): Promise<void> {
    await this.db.deleteFrom("webhooks").where("id", "=", opts.id).execute();
  }

  /** Active endpoints and what they asked for (the dispatcher routes events with it). */
  async subscriptions(): Promise<Subscription[]> {
    return this.db
      .selectFrom("webhooks")
      .select(["id", "project_id", "events", "from_seq"])
      .where("active", "=", 1)
      .execute();
  }

  /** The newest delivery of each endpoint. */
  async lastDeliveries(opts: { webhookIds: readonly number[] }): Promise<DeliveryRow[]> {
    if (opts.webhookIds.length === 0) return [];
    const newest = this.db
      .selectFrom("webhook_deliveries")
      .select((eb) => eb.fn.max("id").as("id"))
      .where("webhook_id", "in", opts.webhookIds as number[])
      .groupBy("webhook_id");
    return this.db.selectFrom("webhook_deliveries").selectAll().where("id", "in", newest).execute();
  }

  async insertDeliveries(opts: { deliveries: readonly NewDelivery[]; now: number }): Promise<void> {
    if (opts.deliveries.length === 0) return;
    const rows = opts.deliveries.map((d) => ({ ...d, status: "pending", next_attempt_at: opts.now }));
    await this.db
      .insertInto("webhook_deliveries")
      .columns([
        "guid",
        "webhook_id",
        "event",
        "body",
        "items",
        "status",
        "next_attempt_at",
        "redelivery_of",
        "created_at",
      ])
      .expression(
        rowsFromJson(this.dialect, rows, {
          guid: "text",
          webhook_id: "bigint",
          event: "text",
          body: "text",
          items: "integer",
          status: "text",
          next_attempt_at: "bigint",
          redelivery_of: "bigint",
          created_at: "bigint",
        }),
      )
      .execute();
  }

  /** A page of an endpoint's delivery log, newest first. */
  async deliveries(opts: { webhookId: number; beforeId?: number; limit: number }): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", opts.webhookId);
    if (opts.beforeId !== undefined) q = q.where("id", "<", opts.beforeId);
    return q.orderBy("id", "desc").limit(opts.limit).execute();
  }

  async delivery(opts: { id: number; webhookId: number }): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "=", opts.id)
      .where("webhook_id", "=", opts.webhookId)
      .executeTakeFirst();
  }

  async deliveryByGuid(opts: { guid: string }): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom("webhook_deliveries").selectAll().where("guid", "=", opts.guid).executeTakeFirst();
  }

  async attempts(opts: { deliveryId: number }): Promise<AttemptRow[]> {
    return this.db
      .selectFrom("webhook_attempts")
      .selectAll()
      .where("delivery_id", "=", opts.deliveryId)
      .orderBy("attempt")
      .execute();
  }

  /** Endpoints that may send now (rate limit) and have a delivery due, oldest due first. */
  async sendable(opts: { now: number; limit: number }): Promise<number[]> {
    const rows = await this.db
      .selectFrom("webhooks as w")
      .select("w.id")
      .where("w.active", "=", 1)
      .where("w.next_send_at", "<=", opts.now)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("webhook_deliveries as d")
            .select("d.id")
            .whereRef("d.webhook_id", "=", "w.id")
            .where("d.status", "=", "pending")
            .where("d.next_attempt_at", "<=", opts.now),
        ),
      )
      .orderBy("w.next_send_at")
      .limit(opts.limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Takes the endpoint's next send slot (`next_send_at` moves `intervalMs` ahead; another engine
   * sharing the database cannot take it too). False when the slot was taken already.
   */
  async takeSendSlot(opts: { webhookId: number; now: number; intervalMs: number }): Promise<boolean> {
    const result = await this.db
      .updateTable("webhooks")
      .set({ next_send_at: opts.now + opts.intervalMs })
      .where("id", "=", opts.webhookId)
      .where("active", "=", 1)
      .where("next_send_at", "<=", opts.now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Claims the endpoint's oldest due delivery by moving its next attempt `leaseMs` ahead: if this
   * engine dies mid-request, the delivery is due again then (and retried by whoever is running).
   */
  async claimDue(opts: { webhookId: number; now: number; leaseMs: number }): Promise<DeliveryRow | undefined> {
    let due = this.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("webhook_id", "=", opts.webhookId)
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", opts.now)
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(1);
    if (this.dialect === "postgres") due = due.forUpdate().skipLocked();
    return this.db
      .updateTable("webhook_deliveries")
      .set({ next_attempt_at: opts.now + opts.leaseMs })
      .where("id", "in", due)
      .returningAll()
      .executeTakeFirst();
  }

  async insertAttempt(row: Omit<WebhookAttemptsTable, "id">): Promise<void> {
    await this.db.insertInto("webhook_attempts").values(row).execute();
  }

  async finishAttempt(opts: {
    id: number;
    status: DeliveryRow["status"];
    nextAttemptAt: number | null;
    responseStatus: number | null;
    durationMs: number;
    error: string | null;
    now: number;
  }): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: opts.status,
        attempts: sql`attempts + 1`,
        next_attempt_at: opts.nextAttemptAt,
        response_status: opts.responseStatus,
        duration_ms: opts.durationMs,
        error: opts.error,
        finished_at: opts.status === "pending" ? null : opts.now,
      })
      .where("id", "=", opts.id)
      .execute();
  }

  /** The endpoint answered: it is healthy again. */
  async markHealthy(opts: { id: number }): Promise<void> {
    await this.db
      .updateTable("webhooks")
      .set({ failing_since: null })
      .where("id", "=", opts.id)
      .where("failing_since", "is not", null)
      .execute();
  }

  /** An attempt failed: returns since when the endpoint has been failing. */
  async markFailing(opts: { id: number; now: number }): Promise<number> {
    const row = await this.db
      .updateTable("webhooks")
      .set({ failing_since: sql`COALESCE(failing_since, ${opts.now})` })
      .where("id", "=", opts.id)
      .returning("failing_since")
      .executeTakeFirst();
    return Number(row?.failing_since ?? opts.now);
  }

  /** Switches an endpoint off for failing; its pending deliveries fail with `reason`. */
  async disable(opts: { id: number; now: number; reason: string }): Promise<void> {
    await this.db
      .updateTable("webhooks")
      .set({ active: 0, disabled_reason: "failing", disabled_at: opts.now, updated_at: opts.now })
      .where("id", "=", opts.id)
      .execute();
    await this.db
      .updateTable("webhook_deliveries")
      .set({ status: "failed", error: opts.reason, next_attempt_at: null, finished_at: opts.now })
      .where("webhook_id", "=", opts.id)
      .where("status", "=", "pending")
      .execute();
  }

  /** When the next pending delivery of an active endpoint may be sent (null: nothing pending). */
  async nextDueAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhooks as w", "w.id", "d.webhook_id")
      .select(
        sql<
          number | null
        >`MIN(CASE WHEN d.next_attempt_at > w.next_send_at THEN d.next_attempt_at ELSE w.next_send_at END)`.as("at"),
      )
      .where("d.status", "=", "pending")
      .where("w.active", "=", 1)
      .executeTakeFirst();
    return row?.at == null ? null : Number(row.at);
  }

  /** Deletes finished deliveries (and their attempts) created before `before`. */
  async pruneDeliveries(opts: { before: number; limit: number }): Promise<number> {
    const old = this.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("created_at", "<", opts.before)
      .where("status", "<>", "pending")
      .orderBy("id")
      .limit(opts.limit);
    const ids = (await old.execute()).map((r) => r.id);
    if (ids.length === 0) return 0;
    await this.db.deleteFrom("webhook_attempts").where("delivery_id", "in", ids).execute();
    await this.db.deleteFrom("webhook_deliveries").where("id", "in", ids).execute();
    return ids.length;
  }

  /** Creates a durable reader's position in the outbox at `initial`, unless it has one. */
  async ensureCursor(opts: { name: string; initial: number; now: number }): Promise<void> {
    await this.db
      .insertInto("outbox_cursors")
      .values({ name: opts.name, seq: opts.initial, updated_at: opts.now })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
  }

  /** A reader's position; `lock` holds it (PostgreSQL) so one engine at a time reads on from it. */
  async cursor(opts: { name: string; lock: boolean }): Promise<number> {
    let q = this.db.selectFrom("outbox_cursors").select("seq").where("name", "=", opts.name);
    if (opts.lock && this.dialect === "postgres") q = q.forUpdate();
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.seq);
  }

  /** Moves a cursor forward (never back). */
  async advanceCursor(opts: { name: string; seq: number; now: number }): Promise<void> {
    await this.db
      .updateTable("outbox_cursors")
      .set({ seq: opts.seq, updated_at: opts.now })
      .where("name", "=", opts.name)
      .where("seq", "<", opts.seq)
      .execute();
  }
}
