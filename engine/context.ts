/** What every engine service receives: the store, the bus, settings and a logger. */

import type { Logger } from "../common/logger.ts";
import type { Bus } from "./events/bus.ts";
import type { ProgressReporter } from "./ops/progress.ts";
import type { PipelineNames } from "./services/pipeline-names.ts";
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
};

export type EngineContext = {
  store: Store;
  bus: Bus;
  settings: EngineSettings;
  log: Logger;
  names: PipelineNames;
  progress: ProgressReporter;
  /** Aborts when the engine stops: long-lived streams end. */
  shutdown: AbortSignal;
  /** Milliseconds since the epoch; tests may move it. */
  now: () => number;
};
