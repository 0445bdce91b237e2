/**
 * The engine's metrics for Prometheus (prom-client), one registry per engine. Events are counted
 * as the use-cases report them (`MetricsRecorder`); state is read from the store when scraped,
 * each figure one small query (builds per status from the running totals, never a scan).
 */
import client from "prom-client";
import type { OperationSource } from "../../common/constants.ts";
import { withProcessMetrics } from "../../common/metrics-endpoint.ts";
import type { EngineSettings } from "../context.ts";
import type { MetricsRecorder, TriggerSource } from "../ports/metrics.ts";
import type { Store } from "../store/store.ts";
import { WEBHOOK_CURSOR } from "../store/webhooks-repo.ts";

const SECONDS_FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SECONDS_SLOW = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const SIZES = [1, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000];

export class PrometheusMetrics implements MetricsRecorder {
  readonly registry = new client.Registry();
  private store: Store | undefined;
  private settings: EngineSettings | undefined;
  private openStreams = 0;
  /** Reads shared by several gauges of one scrape. */
  private readonly reads = new Map<string, Promise<unknown>>();

  private readonly triggers = new client.Counter({
    name: "sluice_builds_triggered_total",
    help: "Builds triggered or re-run, by source (user: through the web page; api; concurrency)",
    labelNames: ["source"],
    registers: [this.registry],
  });
  private readonly cancelOperations = new client.Counter({
    name: "sluice_cancel_operations_total",
    help: "Cancel operations accepted (single, bulk, concurrency policy), by source",
    labelNames: ["source"],
    registers: [this.registry],
  });
  private readonly buildsCanceled = new client.Counter({
    name: "sluice_builds_canceled_total",
    help: "Builds a cancel moved (queued to canceled, running to canceling), by source",
    labelNames: ["source"],
    registers: [this.registry],
  });
  private readonly acceptSeconds = new client.Histogram({
    name: "sluice_bulk_accept_duration_seconds",
    help: "Time to accept a cancel operation (validate, freeze targets, transition, record), by source",
    labelNames: ["source"],
    buckets: SECONDS_FAST,
    registers: [this.registry],
  });
  private readonly operationSize = new client.Histogram({
    name: "sluice_bulk_operation_size_builds",
    help: "Builds targeted by one cancel operation, by source",
    labelNames: ["source"],
    buckets: SIZES,
    registers: [this.registry],
  });
  private readonly settleSeconds = new client.Histogram({
    name: "sluice_bulk_settle_duration_seconds",
    help: "Time from accepting a cancel operation until nothing of it is pending, by source",
    labelNames: ["source"],
    buckets: SECONDS_SLOW,
    registers: [this.registry],
  });
  private readonly stopLatency = new client.Histogram({
    name: "sluice_stop_latency_seconds",
    help: "Time from a job's stop request to its agent acknowledging every process gone",
    buckets: SECONDS_SLOW,
    registers: [this.registry],
  });
  private readonly forced = new client.Counter({
    name: "sluice_stop_deadline_force_finalized_total",
    help: "Builds force-finalized (CANCELED, agent_unresponsive) because no stop acknowledgement came by the deadline",
    registers: [this.registry],
  });
  private readonly queueWait = new client.Histogram({
    name: "sluice_queue_wait_seconds",
    help: "Time queued builds waited before they started",
    buckets: SECONDS_SLOW,
    registers: [this.registry],
  });
  private readonly queryDuration = new client.Histogram({
    name: "sluice_db_query_duration_seconds",
    help: "Database statement durations, by statement kind",
    labelNames: ["statement"],
    buckets: SECONDS_FAST,
    registers: [this.registry],
  });
  private readonly webhookAttempts = new client.Histogram({
    name: "sluice_webhook_request_duration_seconds",
    help: "Webhook requests, by outcome (success: 2xx; failure; refused: a private address)",
    labelNames: ["outcome"],
    buckets: SECONDS_FAST.concat([10]),
    registers: [this.registry],
  });

  constructor() {
    const metrics = this;
    new client.Gauge({
      name: "sluice_event_streams_open",
      help: "Open event streams (GET /v1/events)",
      registers: [this.registry],
      collect() {
        this.set(metrics.openStreams);
      },
    });
    new client.Gauge({
      name: "sluice_builds",
      help: "Builds by project, pipeline and status (from the running totals)",
      labelNames: ["project", "pipeline", "status"],
      registers: [this.registry],
      async collect() {
        const rows = await metrics.read("builds", (s) => s.stats.buildCounts());
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ project: r.project, pipeline: r.pipeline, status: r.status }, r.count);
      },
    });
    new client.Gauge({
      name: "sluice_queue_depth",
      help: "Builds waiting to start (QUEUED), all pipelines",
      registers: [this.registry],
      async collect() {
        const rows = await metrics.read("builds", (s) => s.stats.buildCounts());
        if (rows) this.set(rows.filter((r) => r.status === "QUEUED").reduce((n, r) => n + r.count, 0));
      },
    });
    new client.Gauge({
      name: "sluice_queue_oldest_wait_seconds",
      help: "How long the longest-waiting queued build has waited (0 when none waits)",
      registers: [this.registry],
      async collect() {
        const oldest = await metrics.read("oldest", (s) => s.stats.oldestQueuedAt());
        if (oldest !== undefined) this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
    new client.Gauge({
      name: "sluice_canceling_oldest_seconds",
      help: "How long the longest-canceling build has been CANCELING (0 when none is); the stop deadline ends it after grace + SLUICE_STOP_ACK_TIMEOUT_SECONDS",
      registers: [this.registry],
      async collect() {
        const since = await metrics.read("canceling", (s) => s.stats.oldestCancelingSince());
        if (since !== undefined) this.set(since === null ? 0 : Math.max(0, (Date.now() - since) / 1000));
      },
    });
    new client.Gauge({
      name: "sluice_stuck_builds",
      help: "Stuck builds: CANCELING, a stop their agent has not acknowledged within the build's grace period (force-finalized at the stop deadline)",
      registers: [this.registry],
      async collect() {
        const stuck = await metrics.read("stuck", (s) => s.stats.stuckBuilds({ now: Date.now() }));
        if (stuck !== undefined) this.set(stuck);
      },
    });
    const agents = async () => {
      const rows = await metrics.read("agents", (s) => s.stats.agentSlots());
      const since = Date.now() - (metrics.settings?.agentTimeoutSeconds ?? 60) * 1000;
      return rows?.filter((a) => a.lastSeenAt >= since);
    };
    new client.Gauge({
      name: "sluice_agents_connected",
      help: "Agents heard from within SLUICE_AGENT_TIMEOUT_SECONDS",
      registers: [this.registry],
      async collect() {
        const connected = await agents();
        if (connected) this.set(connected.length);
      },
    });
    new client.Gauge({
      name: "sluice_agent_slots",
      help: "Slots of connected agents, busy (running a job) or free",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const connected = await agents();
        if (!connected) return;
        const busy = connected.reduce((n, a) => n + a.busy, 0);
        const slots = connected.reduce((n, a) => n + a.slots, 0);
        this.set({ state: "busy" }, busy);
        this.set({ state: "free" }, Math.max(0, slots - busy));
      },
    });
    new client.Gauge({
      name: "sluice_outbox_lag_events",
      help: "Outbox events a durable reader has not passed yet: the newest seq minus the reader's cursor (webhooks: the webhook dispatcher)",
      labelNames: ["reader"],
      registers: [this.registry],
      async collect() {
        const newest = await metrics.read("newest", (s) => s.stats.newestSeq());
        const cursor = await metrics.read("cursor", (s) => s.stats.cursor(WEBHOOK_CURSOR));
        if (newest === undefined || cursor === undefined) return;
        this.set({ reader: "webhooks" }, cursor === null ? 0 : Math.max(0, newest - cursor));
      },
    });
    new client.Gauge({
      name: "sluice_outbox_newest_seq",
      help: "The newest outbox event's seq",
      registers: [this.registry],
      async collect() {
        const newest = await metrics.read("newest", (s) => s.stats.newestSeq());
        if (newest !== undefined) this.set(newest);
      },
    });
  }

  /** The text a scrape gets (`GET /metrics`). */
  readonly contentType = this.registry.contentType;
  private readonly withProcess = withProcessMetrics(this.registry);
  readonly metrics = (): Promise<string> => {
    this.reads.clear();
    return this.withProcess.metrics();
  };

  /** One read per scrape for figures several gauges use; a failed read leaves the gauges as they were. */
  private read<T>(key: string, fn: (store: Store) => Promise<T>): Promise<T | undefined> {
    const store = this.store;
    if (!store) return Promise.resolve(undefined);
    let value = this.reads.get(key) as Promise<T | undefined> | undefined;
    if (!value) {
      value = fn(store).catch(() => undefined);
      this.reads.set(key, value);
    }
    return value;
  }

  /** Scrape-time figures come from this store. */
  bind(store: Store, settings: EngineSettings): void {
    this.store = store;
    this.settings = settings;
  }

  /** For the database driver: every statement's duration. */
  readonly queryDone = (sqlText: string, durationMs: number): void => {
    const kind = /^\s*(\w+)/.exec(sqlText)?.[1]?.toLowerCase() ?? "other";
    const statement = ["select", "insert", "update", "delete", "with"].includes(kind) ? kind : "other";
    this.queryDuration.observe({ statement }, durationMs / 1000);
  };

  buildsTriggered(source: TriggerSource | OperationSource, count: number): void {
    if (count > 0) this.triggers.inc({ source }, count);
  }

  cancelAccepted(opts: { source: OperationSource; total: number; builds: number; durationMs: number }): void {
    this.cancelOperations.inc({ source: opts.source });
    this.buildsCanceled.inc({ source: opts.source }, opts.builds);
    this.acceptSeconds.observe({ source: opts.source }, opts.durationMs / 1000);
    this.operationSize.observe({ source: opts.source }, opts.total);
  }

  operationSettled(opts: { source: string; durationMs: number }): void {
    this.settleSeconds.observe({ source: opts.source }, opts.durationMs / 1000);
  }

  stopsAcknowledged(latenciesMs: readonly number[]): void {
    for (const ms of latenciesMs) this.stopLatency.observe(Math.max(0, ms) / 1000);
  }

  forceFinalized(count: number): void {
    if (count > 0) this.forced.inc(count);
  }

  buildsStarted(waitsMs: readonly number[]): void {
    for (const ms of waitsMs) this.queueWait.observe(Math.max(0, ms) / 1000);
  }

  streamOpened(): () => void {
    this.openStreams++;
    let open = true;
    return () => {
      if (open) this.openStreams--;
      open = false;
    };
  }

  webhookAttempt(opts: { outcome: "success" | "failure" | "refused"; durationMs: number }): void {
    this.webhookAttempts.observe({ outcome: opts.outcome }, opts.durationMs / 1000);
  }
}
