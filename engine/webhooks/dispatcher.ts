/**
 * From the outbox to webhook deliveries. A durable cursor (the `outbox_cursors` row "webhooks")
 * moves in the same transaction that writes the deliveries for the events it passes, so nothing
 * is lost or delivered twice across restarts, and with several engines one at a time reads on
 * (the cursor row is locked). Per-build events are batched per endpoint: a chunk of 10,000
 * canceled builds becomes a handful of deliveries, and however many events a chunk holds it
 * costs the same few statements.
 */
import crypto from "node:crypto";
import type { EventPayload } from "../../common/events.ts";
import { type BuildStatus, isTerminal } from "../../common/statuses.ts";
import { PER_BUILD_EVENTS, type WebhookEvent } from "../../common/webhooks.ts";
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import type { EventRow } from "../store/events-repo.ts";
import type { Store } from "../store/store.ts";
import { type NewDelivery, type Subscription, WEBHOOK_CURSOR } from "../store/webhooks-repo.ts";
import { iso, toOperation } from "../use-cases/mappers.ts";
import { webhookSettings } from "../use-cases/webhooks/settings.ts";

/** Outbox events read per transaction. */
const CHUNK = 5000;
/** Events arriving together are dispatched together: wait this long after a wake-up. */
const LINGER_MS = 50;

export type BuildItem = {
  id: number;
  pipeline: string;
  number: number;
  status: BuildStatus;
  from: BuildStatus | null;
  branch: string;
  reason: string | null;
  by: string | null;
  operationId: string | null;
  at: string;
};

type Route = { hook: Subscription; events: Set<string> };

export class WebhookDispatcher {
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly ctx: EngineContext) {}

  /** Creates the cursor at the newest event (history before the first start is not sent). */
  async start(): Promise<void> {
    const store = this.ctx.store;
    await store.webhooks.ensureCursor({
      name: WEBHOOK_CURSOR,
      initial: await store.events.lastSeq(),
      now: this.ctx.now(),
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const woken = this.ctx.bus.wait(TOPICS.events, 1000, signal);
      try {
        while (!signal.aborted && (await dispatchWebhooks(this.ctx)) > 0);
      } catch (err) {
        if (signal.aborted) return;
        this.ctx.log.warn("webhook dispatch failed; retrying", { err });
      }
      await woken;
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
    }
  }
}

/**
 * One step of the cursor: reads up to a chunk of events past it, writes the deliveries they make
 * and moves it, in one transaction. Returns how many events it passed (0: caught up).
 */
export async function dispatchWebhooks(ctx: EngineContext): Promise<number> {
  const settings = webhookSettings(ctx.settings);
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const cursor = await tx.webhooks.cursor({ name: WEBHOOK_CURSOR, lock: true });
    const newest = await tx.events.lastSeq();
    if (newest <= cursor) return 0;
    const hooks = await tx.webhooks.subscriptions();
    if (hooks.length === 0) {
      await tx.webhooks.advanceCursor({ name: WEBHOOK_CURSOR, seq: newest, now });
      return newest - cursor;
    }
    const events = await tx.events.read({
      afterSeq: cursor,
      filter: {
        projectIds: [...new Set(hooks.map((h) => h.project_id))],
        types: ["build.status_changed", "operation.completed", "operation.stuck"],
      },
      limit: CHUNK,
    });
    // Fewer than a chunk: every event up to `newest` (all committed, seq order is commit order) was
    // read — and any committed since, up to the last one returned.
    const last = events.length > 0 ? (events[events.length - 1] as EventRow).seq : cursor;
    const reached = events.length === CHUNK ? last : Math.max(newest, last);
    const deliveries = await deliveriesFor(ctx, tx, routesOf(hooks), events, { now, batchSize: settings.batchSize });
    await tx.webhooks.insertDeliveries({ deliveries, now });
    await tx.webhooks.advanceCursor({ name: WEBHOOK_CURSOR, seq: reached, now });
    if (deliveries.length > 0) tx.afterCommit(() => ctx.bus.publish(TOPICS.webhooks));
    return Math.max(1, reached - cursor);
  });
}

function routesOf(hooks: readonly Subscription[]): Map<number, Route[]> {
  const byProject = new Map<number, Route[]>();
  for (const hook of hooks) {
    const routes = byProject.get(hook.project_id) ?? [];
    routes.push({ hook, events: new Set(JSON.parse(hook.events) as string[]) });
    byProject.set(hook.project_id, routes);
  }
  return byProject;
}

/** The webhook events an outbox event is (a build reaching CANCELED is both canceled and finished). */
function webhookEventsOf(row: EventRow, change: BuildChange | undefined): WebhookEvent[] {
  if (row.type === "operation.completed") return ["operation.completed"];
  if (row.type === "operation.stuck") return ["operation.stuck"];
  if (!change || !isTerminal(change.to)) return [];
  return change.to === "CANCELED" ? ["build.canceled", "build.finished"] : ["build.finished"];
}

type BuildChange = EventPayload<"build.status_changed">;

/** A status change's payload, as `appendBuildChanges` wrote it (the contract's `BuildChangePayload`). */
function buildChangeOf(row: EventRow): BuildChange | undefined {
  return row.type === "build.status_changed" ? (JSON.parse(row.payload) as BuildChange) : undefined;
}

async function deliveriesFor(
  ctx: EngineContext,
  tx: Store,
  routes: Map<number, Route[]>,
  events: readonly EventRow[],
  opts: { now: number; batchSize: number },
): Promise<NewDelivery[]> {
  const names = await ctx.names.get(
    tx,
    events.flatMap((e) => (e.pipeline_id === null ? [] : [e.pipeline_id])),
  );
  const operationIds = [
    ...new Set(
      events
        .filter((e) => e.type === "operation.completed" || e.type === "operation.stuck")
        .map((e) => e.operation_id as string),
    ),
  ];
  const operations = new Map(
    (await tx.operations.findMany({ ids: operationIds })).map((op) => [op.id, toOperation(op)]),
  );
  const deliveries: NewDelivery[] = [];
  /** Per-build items waiting to be batched, per endpoint and event. */
  const batches = new Map<string, { hookId: number; project: string; event: WebhookEvent; items: BuildItem[] }>();
  const delivery = (hookId: number, event: string, body: object, items: number): NewDelivery => ({
    guid: crypto.randomUUID(),
    webhook_id: hookId,
    event,
    body: JSON.stringify(body),
    items,
    redelivery_of: null,
    created_at: opts.now,
  });

  const flush = (key: string) => {
    const batch = batches.get(key);
    if (!batch) return;
    batches.delete(key);
    deliveries.push(
      delivery(
        batch.hookId,
        batch.event,
        { event: batch.event, project: batch.project, builds: batch.items },
        batch.items.length,
      ),
    );
  };

  for (const row of events) {
    const targets = routes.get(row.project_id as number);
    if (!targets) continue;
    const change = buildChangeOf(row);
    const kinds = webhookEventsOf(row, change);
    if (kinds.length === 0) continue;
    const name = row.pipeline_id === null ? undefined : names.get(row.pipeline_id);
    const project = name?.project ?? "";
    for (const { hook, events: wanted } of targets) {
      if (row.seq <= hook.from_seq) continue;
      for (const kind of kinds) {
        if (!wanted.has(kind)) continue;
        if (kind === "operation.completed") {
          // The builds an operation reports go out before it does.
          for (const perBuild of PER_BUILD_EVENTS) flush(`${hook.id}/${perBuild}`);
          const operation = operations.get(row.operation_id as string);
          if (operation) {
            deliveries.push(delivery(hook.id, kind, { event: kind, project: operation.project, operation }, 1));
          }
          continue;
        }
        if (kind === "operation.stuck") {
          // The operation as it is when delivered, with how many builds were stuck when it said so.
          const operation = operations.get(row.operation_id as string);
          const { stuck } = JSON.parse(row.payload) as EventPayload<"operation.stuck">;
          if (operation) {
            deliveries.push(
              delivery(
                hook.id,
                kind,
                { event: kind, project: operation.project, operation: { ...operation, stuck } },
                1,
              ),
            );
          }
          continue;
        }
        // Per-build events come from status changes only.
        if (!change) continue;
        const key = `${hook.id}/${kind}`;
        const batch = batches.get(key) ?? { hookId: hook.id, project, event: kind, items: [] };
        batches.set(key, batch);
        batch.items.push({
          id: row.build_id as number,
          pipeline: name?.pipeline ?? "",
          number: change.number,
          status: change.to,
          from: change.from,
          branch: change.branch,
          reason: change.reason,
          by: change.by,
          operationId: row.operation_id,
          at: iso(row.created_at) as string,
        });
        if (batch.items.length >= opts.batchSize) flush(key);
      }
    }
  }
  for (const key of [...batches.keys()]) flush(key);
  return deliveries;
}
