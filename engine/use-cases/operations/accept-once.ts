/**
 * What every operation's accept shares, whatever its kind: who asks (and their repeat key), and
 * one accept transaction that first answers a repeated request with its first operation (or
 * refuses a key reused for another request) and then holds the per-user limit on running bulk
 * operations — for cancels and re-runs alike, in one place.
 */
import crypto from "node:crypto";
import type { OperationSource } from "../../../common/constants.ts";
import type { Operation } from "../../../common/dto.ts";
import { RateLimitedError, UnprocessableError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import type { OperationRow } from "../../store/operations-repo.ts";
import type { Store } from "../../store/store.ts";
import type { Actor } from "../identity/identity.ts";
import { toOperation } from "../mappers.ts";

/** Who asks for an operation; `source` follows from their token, never from the request. */
export type OperationCaller = { actor: Actor; source: OperationSource; idempotencyKey?: string | undefined };

export type Idempotency = { idempotency?: { key: string; requestHash: string } };

/** The kinds of route a repeat key is bound to: one per bulk kind, and the single cancel. */
export type AcceptRoute = "batch-cancel" | "batch-rerun" | "cancel-build";

/**
 * The repeat key with a hash of the route kind and the request it was sent with: the same key
 * for another body, scope or kind of route is refused.
 */
export function idempotency(
  caller: { idempotencyKey?: string | undefined },
  route: AcceptRoute,
  request: unknown,
): Idempotency {
  if (!caller.idempotencyKey) return {};
  const requestHash = crypto.createHash("sha256").update(JSON.stringify({ route, request })).digest("hex");
  return { idempotency: { key: caller.idempotencyKey, requestHash } };
}

export type AcceptOnceInput = Idempotency & {
  actor: string;
  /**
   * A bulk operation (cancel or re-run, any scope) counts against the caller's running-operations
   * limit and is refused beyond it; a single or forced cancel, or the concurrency policy's, does not.
   */
  limited: boolean;
};

/**
 * Runs `accept` in one transaction, after the repeat key and the limit. Two requests with one
 * key that raced: the loser returns the winner's operation.
 */
export async function acceptOnce(
  ctx: EngineContext,
  input: AcceptOnceInput,
  accept: (tx: Store) => Promise<OperationRow>,
): Promise<Operation> {
  const once = async (tx: Store) => {
    const repeat = await findRepeat(tx, input);
    if (repeat) return repeat;
    await checkRunningLimit(ctx, tx, input);
    return accept(tx);
  };
  try {
    return toOperation(await ctx.store.transaction(once));
  } catch (err) {
    if (input.idempotency && isUniqueViolation(err)) return toOperation(await ctx.store.transaction(once));
    throw err;
  }
}

/** The same key with the same request returns the first operation; another request is refused. */
async function findRepeat(tx: Store, input: AcceptOnceInput): Promise<OperationRow | undefined> {
  if (!input.idempotency) return undefined;
  const existing = await tx.operations.findByIdempotencyKey({ requestedBy: input.actor, key: input.idempotency.key });
  if (!existing) return undefined;
  if (existing.request_hash !== input.idempotency.requestHash) {
    throw new UnprocessableError(
      "idempotency_key_reused",
      "This Idempotency-Key was already used with a different request",
      { operationId: existing.id },
    );
  }
  return existing;
}

async function checkRunningLimit(ctx: EngineContext, tx: Store, input: AcceptOnceInput): Promise<void> {
  if (!input.limited) return;
  const running = await tx.operations.countRunningLimited({ requestedBy: input.actor });
  const limit = ctx.settings.maxRunningOperationsPerUser;
  if (running >= limit) {
    throw new RateLimitedError(
      `You already have ${running} bulk operations running (at most ${limit}); try again shortly`,
      5,
      "too_many_operations",
    );
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
