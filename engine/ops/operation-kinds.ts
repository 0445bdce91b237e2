/**
 * The family of bulk operations. Each kind has its own accept (`accept-cancel.ts`,
 * `accept-rerun.ts`, each a use-case with its own request) and says here how an accepted
 * operation settles: cancel stops builds on their agents and settles as agents acknowledge;
 * rerun completes in its accept. A new kind adds an entry here, its outcomes in
 * `common/constants.ts`, and its accept — no new tables or columns.
 */
import type { OperationKind } from "../../common/constants.ts";
import type { EngineContext } from "../context.ts";
import { settleCancel } from "./settle-cancel.ts";

/** The queued task that settles an operation (its ref is the operation id). */
export const SETTLE_TASK = "settle-operation";

type KindHandler = {
  /** One settling pass over the operation; true when it is complete. */
  settle: (ctx: EngineContext, operationId: string) => Promise<boolean>;
};

const KINDS: Record<OperationKind, KindHandler> = {
  cancel: { settle: settleCancel },
  rerun: { settle: async () => true },
};

/** The settle-operation task: dispatched on the operation's kind; an unknown kind is an error. */
export async function settleOperation(ctx: EngineContext, operationId: string): Promise<boolean> {
  const op = await ctx.store.operations.find({ id: operationId });
  if (!op || op.status === "completed") return true;
  const handler = KINDS[op.kind as OperationKind];
  if (!handler) throw new Error(`Operation ${op.id} is of unknown kind "${op.kind}"`);
  return handler.settle(ctx, operationId);
}
