/**
 * The asynchronous half of bulk operations: durable tasks (the `work_queue` table), claimed by one
 * worker at a time and dispatched on their kind. A `settle-operation` task settles an operation
 * by the handler of the operation's kind, and comes back every few seconds, and after a restart,
 * until nothing is pending. A task of a kind nobody handles is an error: logged, and kept.
 */
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import type { Task } from "../store/queue-repo.ts";
import { settleOperation } from "../use-cases/operation-kinds.ts";
import { HOOK_TASK, processHookDelivery } from "../use-cases/repositories/process-delivery.ts";

/** Task kinds and what runs them; true when the task is done. */
const TASKS: Record<string, (ctx: EngineContext, ref: string) => Promise<boolean>> = {
  "settle-operation": settleOperation,
  [HOOK_TASK]: processHookDelivery,
};

/** How long a task of an unknown kind waits before it is tried (and reported) again. */
const UNKNOWN_RETRY_MS = 3_600_000;
/**
 * A claim lasts this long unless renewed; the worker renews its claims every third of it while it
 * works, so a replica killed mid-settle hands its tasks to another within one lease.
 */
const CLAIM_LEASE_MS = 3_000;
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
        const claimed = new Set(tasks.map((t) => t.id));
        const renewal = setInterval(() => {
          const ids = [...claimed];
          void this.ctx.store.queue.renewClaims({ ids, runAt: this.ctx.now() + CLAIM_LEASE_MS }).catch(() => {});
        }, CLAIM_LEASE_MS / 3);
        try {
          await this.runClaimed(tasks, claimed);
        } finally {
          clearInterval(renewal);
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

  /** Runs claimed tasks in order; each leaves `claimed` (and its renewal) before it is removed or rescheduled. */
  private async runClaimed(tasks: Task[], claimed: Set<number>): Promise<void> {
    for (const task of tasks) {
      if (!this.running) return;
      try {
        const run = TASKS[task.kind];
        if (!run) {
          claimed.delete(task.id);
          this.ctx.log.error("a queued task of an unknown kind: kept, not run", { task: task.id, kind: task.kind });
          await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + UNKNOWN_RETRY_MS });
          continue;
        }
        const done = await run(this.ctx, task.ref);
        claimed.delete(task.id);
        if (done) await this.ctx.store.queue.remove({ id: task.id });
        else await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RECHECK_MS });
      } catch (err) {
        claimed.delete(task.id);
        // Try again soon rather than when the claim expires (the database may be back by then).
        await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RETRY_MS }).catch(() => {});
        throw err;
      }
    }
  }
}
