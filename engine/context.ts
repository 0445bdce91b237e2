/**
 * What every use-case receives: the store, the ports its adapters fill in (wake-ups, progress,
 * metrics), settings and a logger. Imports only downward (ports, store, common).
 */

import type { Logger } from "../common/logger.ts";
import type { MetricsRecorder } from "./ports/metrics.ts";
import type { Progress } from "./ports/progress.ts";
import type { Wakeups } from "./ports/wakeups.ts";
import type { PipelineNames } from "./store/pipeline-names.ts";
import type { SignInLimiter, SignInLimits } from "./store/sign-in-limiter.ts";
import type { Store } from "./store/store.ts";

export type EngineSettings = {
  dataDir: string;
  stopAckTimeoutSeconds: number;
  /** An agent silent this long while holding running jobs is lost: its builds end FAILED. */
  agentTimeoutSeconds: number;
  /** How often agents report their leases (at least three beats fit in the agent timeout). */
  agentHeartbeatSeconds: number;
  /** Outbox events older than this are deleted. */
  eventRetentionHours: number;
  batchCancelMaxIds: number;
  /** How long a bulk-cancel preview may be confirmed (`SLUICE_PREVIEW_TTL_SECONDS`). */
  previewTtlSeconds: number;
  /** Most bytes of step output a build keeps (`SLUICE_LOG_MAX_BYTES`). */
  logMaxBytes: number;
  maxRunningOperationsPerUser: number;
  /** Event streams one user may hold open on this engine process (429 beyond). */
  maxStreamsPerUser: number;
  adminPassword?: string | undefined;
  adminToken?: string | undefined;
  /** Which proxies' X-Forwarded-For is believed (Express's `trust proxy`); off by default. */
  trustProxy?: TrustProxy;
  /**
   * The secret a BFF shows (X-Sluice-Bff-Key) for the engine to believe the browser address it
   * forwards with a sign-in (X-Sluice-Client-Address); unset, no forwarded address is believed.
   */
  bffKey?: string | undefined;
  signInLimits?: SignInLimits;
  /**
   * scrypt's cost (N, a power of two) for passwords hashed from now on; 16384 unless a test says
   * otherwise (the integration suites use less, to spend their time on what they test). A stored
   * hash keeps the cost it was made with, so a hash made at another cost still verifies.
   */
  passwordHashCost?: number;
  /** How long a session (a sign-in) lasts; 12 hours unless a test says otherwise. */
  sessionTtlMs?: number;
  /**
   * The key repository secrets are encrypted with (`SLUICE_SECRET_KEY`); unset, one is made and
   * kept in the data dir (`secret-key`). Engines sharing a database need the same one.
   */
  secretKey?: string | undefined;
  /** Where people open the console (`SLUICE_PUBLIC_URL`): commit statuses link builds there. */
  publicUrl?: string | undefined;
  /** Webhook delivery; anything left out takes its default (`webhooks/settings.ts`). */
  webhooks?: Partial<WebhookSettings>;
};

export type WebhookSettings = {
  /** Private and loopback addresses may receive webhooks (`SLUICE_WEBHOOK_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
  /** Most requests per endpoint per minute (`SLUICE_WEBHOOK_RATE_PER_MINUTE`). */
  ratePerMinute: number;
  /** Most builds in one per-build delivery (`SLUICE_WEBHOOK_BATCH_SIZE`). */
  batchSize: number;
  /** A request without an answer by then has failed. */
  timeoutMs: number;
  /** The first retry's delay; each later one doubles, up to `retryMaxDelayMs`, with jitter. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A delivery is retried until this long after it was created. */
  retryForMs: number;
  /** An endpoint whose every attempt failed for this long is disabled. */
  disableAfterMs: number;
  /** Finished deliveries are kept in the log this long. */
  logRetentionMs: number;
};

/** Express's `trust proxy`: off, a number of hops, or addresses, subnets and names (`loopback`). */
export type TrustProxy = false | number | string[];

export type EngineContext = {
  store: Store;
  /** Wake-ups; the events adapter's `Bus` in the engine. */
  bus: Wakeups;
  settings: EngineSettings;
  log: Logger;
  names: PipelineNames;
  progress: Progress;
  signInLimiter: SignInLimiter;
  metrics: MetricsRecorder;
  /** Aborts when the engine stops: long-lived streams end. */
  shutdown: AbortSignal;
  /** Milliseconds since the epoch; tests may move it. */
  now: () => number;
};
