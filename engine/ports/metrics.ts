/**
 * What the engine's use-cases tell the metrics (a port): they call these after a commit, and the
 * Prometheus adapter (`metrics/prometheus.ts`) counts. Figures that are state rather than events
 * (builds per status, queue, agents, outbox lag) are read from the store when scraped instead.
 */
import type { OperationSource } from "../../common/constants.ts";

export type TriggerSource = "user" | "api";

export type MetricsRecorder = {
  /** Builds created by a trigger, or by a re-run (`source`: who asked, as for operations). */
  buildsTriggered(source: TriggerSource | OperationSource, count: number): void;
  /** A cancel was accepted: `builds` is how many it moved (queued → canceled, running → canceling). */
  cancelAccepted(opts: { source: OperationSource; total: number; builds: number; durationMs: number }): void;
  /** An operation has nothing pending any more (`durationMs` from its accept). */
  operationSettled(opts: { source: string; durationMs: number }): void;
  /** Agents acknowledged stops: milliseconds from each stop request to every process gone. */
  stopsAcknowledged(latenciesMs: readonly number[]): void;
  /** Builds force-finalized because their agent did not acknowledge the stop by the deadline. */
  forceFinalized(count: number): void;
  /** Queued builds started: how long each waited. */
  buildsStarted(waitsMs: readonly number[]): void;
  /** An event stream opened; call what it returns when the stream ends. */
  streamOpened(): () => void;
  /** A webhook request ended (`outcome`: `success`, `failure` or `refused`). */
  webhookAttempt(opts: { outcome: "success" | "failure" | "refused"; durationMs: number }): void;
};

const ignore = () => {};

/** For engines started without metrics. */
export const noMetrics: MetricsRecorder = {
  buildsTriggered: ignore,
  cancelAccepted: ignore,
  operationSettled: ignore,
  stopsAcknowledged: ignore,
  forceFinalized: ignore,
  buildsStarted: ignore,
  streamOpened: () => ignore,
  webhookAttempt: ignore,
};
