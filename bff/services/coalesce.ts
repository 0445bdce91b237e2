/**
 * Coalescing bursts for the browser: build changes gathered over a short window go out as one
 * message per pipeline with the last change per build. 10,000 status changes become a handful
 * of messages, each tagged with the last engine `seq` it covers (the resume point).
 */

import type { BuildChangeEvent } from "../../common/events.ts";
import type { BuildChange } from "../../common/page-stream.ts";

export function toBuildChange(e: BuildChangeEvent): BuildChange {
  return {
    id: e.buildId,
    number: e.number,
    branch: e.branch,
    status: e.to,
    from: e.from,
    reason: e.reason,
    operationId: e.operationId ?? null,
    by: e.by,
    at: e.at,
    created: e.type === "build.created",
  };
}

export type Batch = { seq: number; byPipeline: Map<string, Map<number, BuildChange>> };

export class Coalescer {
  private batch: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flushTo: (batch: Batch) => void,
    /** The first change waits at most this long; a burst goes out this often. */
    private readonly windowMs = 200,
  ) {}

  add(pipeline: string, change: BuildChange, seq: number): void {
    this.batch ??= { seq, byPipeline: new Map() };
    this.batch.seq = seq;
    const changes = this.batch.byPipeline.get(pipeline) ?? new Map<number, BuildChange>();
    const earlier = changes.get(change.id);
    // A build created within the window stays "created" when it changes again.
    changes.set(change.id, earlier?.created ? { ...change, created: true, from: null } : change);
    this.batch.byPipeline.set(pipeline, changes);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Whether nothing is gathered. */
  get empty(): boolean {
    return this.batch === undefined;
  }

  /** Sends what is gathered now (also before a non-build event, so order is kept). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = undefined;
    if (batch) this.flushTo(batch);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.batch = undefined;
  }
}
