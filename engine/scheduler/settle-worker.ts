/**
 * The asynchronous half of bulk operations: durable tasks (the `work_queue` table), claimed by one
 * worker at a time and dispatched on their kind. A `settle-operation` task settles an operation
 * by the handler of the operation's kind, and comes back every few seconds, and after a restart,
 * until nothing is pending. A task of a kind nobody handles is an error: logged, and kept.
 */
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import { settleOperation } from "../use-cases/operation-kinds.ts";

/** Task kinds and what runs them; true when the task is done. */
const TASKS: Record<string, (ctx: EngineContext, ref: string) => Promise<boolean>> = {
  "settle-operation": settleOperation,
};

/** How long a task of an unknown kind waits before it is tried (and reported) again. */
const UNKNOWN_RETRY_MS = 3_600_000;
const CLAIM_LEASE_MS = 15_000;
const RECHECK_MS = 5_000;
const RETRY_MS = 500;

export class SettleWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly ctx: EngineContext) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const tasks = await this.ctx.store.queue.claimDue({ now: this.ctx.now(), limit: 10, leaseMs: CLAIM_LEASE_MS });
        for (const task of tasks) {
          if (!this.running) return;
          try {
            const run = TASKS[task.kind];
            if (!run) {
              this.ctx.log.error("a queued task of an unknown kind: kept, not run", { task: task.id, kind: task.kind });
              await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + UNKNOWN_RETRY_MS });
              continue;
            }
            const done = await run(this.ctx, task.ref);
            if (done) await this.ctx.store.queue.remove({ id: task.id });
            else await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RECHECK_MS });
          } catch (err) {
            // Try again soon rather than when the claim expires (the database may be back by then).
            await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RETRY_MS }).catch(() => {});
            throw err;
          }
        }
        if (tasks.length > 0) continue;
        const nextRunAt = await this.ctx.store.queue.nextRunAt();
        const wait = nextRunAt === null ? 1000 : Math.min(1000, Math.max(0, nextRunAt - this.ctx.now()));
        await this.ctx.bus.wait(TOPICS.work, wait, this.abort.signal);
      } catch (err) {
        if (!this.running) return;
        this.ctx.log.warn("settle worker failed; retrying", { err });
        await this.ctx.bus.wait(TOPICS.work, 500, this.abort.signal);
      }
    }
  }
}
