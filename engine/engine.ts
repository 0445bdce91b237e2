/** Starting and stopping the engine: database, bus, worker, sweeper and the HTTP API. */

import { prepareDataDir } from "../common/data-dir.ts";
import { listen } from "../common/http-server.ts";
import { createLogger, type LogLevel } from "../common/logger.ts";
import { metricsHandler } from "../common/metrics-endpoint.ts";
import { EngineAgentChannel } from "./agents/channel.ts";
import { createEngineApp } from "./api/app.ts";
import type { EngineContext, EngineSettings } from "./context.ts";
import { Bus } from "./events/bus.ts";
import { PrometheusMetrics } from "./metrics/prometheus.ts";
import { TOPICS } from "./ports/wakeups.ts";
import { SettleWorker } from "./scheduler/settle-worker.ts";
import { Sweeper } from "./scheduler/sweeper.ts";
import { openDatabase } from "./store/db.ts";
import { PipelineNames } from "./store/pipeline-names.ts";
import { DEFAULT_SIGN_IN_LIMITS, SignInLimiter } from "./store/sign-in-limiter.ts";
import { Store } from "./store/store.ts";
import { recoverLostAgent } from "./use-cases/agents/recovery.ts";
import { ensureAdmin } from "./use-cases/identity/identity.ts";
import { ProgressReporter } from "./use-cases/operations/progress.ts";
import { CommitStatusReporter } from "./webhooks/commit-statuses.ts";
import { WebhookDispatcher } from "./webhooks/dispatcher.ts";
import { WebhookSender } from "./webhooks/sender.ts";

export type EngineOptions = {
  settings: EngineSettings;
  databaseUrl?: string | undefined;
  /** PostgreSQL only: run in this schema (tests use a fresh one each). */
  pgSchema?: string;
  /** PostgreSQL `application_name` of the engine's connections. */
  applicationName?: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** The in-process agent's id: its jobs from a previous run are finalized at start. */
  localAgentId?: string;
  heartbeatMs?: number;
  /** `GET /metrics` needs `Authorization: Bearer <this>` when set (`SLUICE_METRICS_TOKEN`). */
  metricsToken?: string | undefined;
};

export type EngineHandle = {
  ctx: EngineContext;
  metrics: PrometheusMetrics;
  /** The outbox-to-deliveries dispatcher and the sender (tests stop the dispatcher to drive it). */
  webhooks: { dispatcher: WebhookDispatcher; sender: WebhookSender };
  channel: EngineAgentChannel;
  url: string;
  adminToken: string;
  stop: () => Promise<void>;
};

export async function startEngine(options: EngineOptions): Promise<EngineHandle> {
  const log = createLogger(options.logLevel, "engine");
  prepareDataDir(options.settings.dataDir);
  const metrics = new PrometheusMetrics();
  const db = await openDatabase({
    dataDir: options.settings.dataDir,
    databaseUrl: options.databaseUrl,
    // The message and code only: pg hangs the whole client (with its cancel key) on the error.
    onConnectionError: (err) =>
      log.warn("a database connection dropped", { reason: err.message, code: (err as { code?: string }).code }),
    onQuery: metrics.queryDone,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    ...(options.pgSchema ? { schema: options.pgSchema } : {}),
  });
  const bus = new Bus(db.pool, options.pgSchema ? `sluice_${options.pgSchema}` : "sluice", log);
  const store = Store.open(db, { onEvents: () => bus.publish(TOPICS.events) });
  metrics.bind(store, options.settings);
  await bus.start();
  const progress = new ProgressReporter({ store, log, now: Date.now });
  const shutdown = new AbortController();
  const ctx: EngineContext = {
    store,
    bus,
    settings: options.settings,
    log,
    names: new PipelineNames(),
    progress,
    signInLimiter: new SignInLimiter(
      db.pool ? { kind: "postgres", pool: db.pool } : { kind: "memory" },
      options.settings.signInLimits ?? DEFAULT_SIGN_IN_LIMITS,
    ),
    metrics,
    shutdown: shutdown.signal,
    now: Date.now,
  };
  const { token: adminToken } = await ensureAdmin(ctx);
  if (options.localAgentId) {
    const recovered = await recoverLostAgent(ctx, options.localAgentId);
    if (recovered.failed + recovered.canceled > 0) log.warn("finalized builds of the previous run", recovered);
  }
  const channel = new EngineAgentChannel(ctx);
  const worker = new SettleWorker(ctx);
  const sweeper = new Sweeper(ctx);
  const dispatcher = new WebhookDispatcher(ctx);
  const sender = new WebhookSender(ctx);
  const statuses = new CommitStatusReporter(ctx);
  worker.start();
  sweeper.start();
  await dispatcher.start();
  sender.start();
  await statuses.start();

  const app = createEngineApp(ctx, channel, {
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    metrics: metricsHandler(metrics, options.metricsToken),
  });
  const http = await listen(app, options.host, options.port);
  log.info("engine listening", { url: http.url, database: db.dialect });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      shutdown.abort();
      await http.close();
      progress.stop();
      await Promise.all([sweeper.stop(), worker.stop(), dispatcher.stop(), sender.stop(), statuses.stop()]);
      await bus.stop();
      await store.close();
    })();
    return stopped;
  };
  return { ctx, metrics, webhooks: { dispatcher, sender }, channel, url: http.url, adminToken, stop };
}
