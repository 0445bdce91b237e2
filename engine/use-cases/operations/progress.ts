/**
 * `operation.progress` events, coalesced: however many builds settle, an operation reports its
 * counts at most every `intervalMs` (about 10 a second by default).
 */
import type { Logger } from "../../../common/logger.ts";
import type { Progress } from "../../ports/progress.ts";
import type { Store } from "../../store/store.ts";
import { operationEvent } from "../event-payloads.ts";

type Needs = { store: Store; log: Logger; now: () => number };

export class ProgressReporter implements Progress {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastEmit = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly ctx: Needs,
    private readonly intervalMs = 100,
  ) {}

  /** Some item of this operation settled: report its counts soon. */
  touch(operationId: string): void {
    if (this.stopped || this.timers.has(operationId)) return;
    const since = Date.now() - (this.lastEmit.get(operationId) ?? 0);
    const delay = Math.max(0, this.intervalMs - since);
    this.timers.set(
      operationId,
      setTimeout(() => {
        this.timers.delete(operationId);
        this.lastEmit.set(operationId, Date.now());
        this.report(operationId).catch((err) => this.ctx.log.warn("progress report failed", { err }));
      }, delay),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async report(operationId: string): Promise<void> {
    const ctx = this.ctx;
    if (this.stopped) return;
    await ctx.store.transaction(async (tx) => {
      // Locked: the transaction that completes the operation either committed before this read
      // (and wrote operation.completed), or waits until this progress event is written before
      // its own — never a "running" after the "completed".
      const op = await tx.operations.lock({ id: operationId });
      if (!op || op.status === "completed") {
        this.lastEmit.delete(operationId);
        return;
      }
      await tx.events.append({ events: [operationEvent(op)], now: ctx.now() });
    });
  }
}
