/**
 * What every bulk operation's accept shares: who asks (and their repeat key), and one accept
 * transaction that a retried request with the same `Idempotency-Key` answers with the first
 * operation.
 */
import crypto from "node:crypto";
import type { OperationSource } from "../../../common/constants.ts";
import type { Operation } from "../../../common/dto.ts";
import type { EngineContext } from "../../context.ts";
import type { OperationRow } from "../../store/operations-repo.ts";
import type { Store } from "../../store/store.ts";
import type { Actor } from "../identity/identity.ts";
import { toOperation } from "../mappers.ts";

/** Who asks for an operation; `source` follows from their token, never from the request. */
export type OperationCaller = { actor: Actor; source: OperationSource; idempotencyKey?: string | undefined };

export type Idempotency = { idempotency?: { key: string; requestHash: string } };

/** The repeat key with a hash of what it was sent with (a key reused for another request is refused). */
export function idempotency(caller: { idempotencyKey?: string | undefined }, body: unknown): Idempotency {
  if (!caller.idempotencyKey) return {};
  const requestHash = crypto.createHash("sha256").update(JSON.stringify(body)).digest("hex");
  return { idempotency: { key: caller.idempotencyKey, requestHash } };
}

/** Runs `accept` in one transaction. Two requests with one key that raced: the loser returns the winner's operation. */
export async function acceptOnce(
  ctx: EngineContext,
  input: Idempotency,
  accept: (tx: Store) => Promise<OperationRow>,
): Promise<Operation> {
  try {
    return toOperation(await ctx.store.transaction(accept));
  } catch (err) {
    if (input.idempotency && isUniqueViolation(err)) return toOperation(await ctx.store.transaction(accept));
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
