/**
 * Sending a stored delivery again, as a maintainer does from the delivery log after fixing what
 * made it fail or be ignored (a pipeline's `on:` that did not match, a broken definition): a new
 * delivery of the same event, with an id of its own, processed as if the provider had sent it now.
 * The provider's own redelivery (same delivery id) still creates nothing new.
 */
import crypto from "node:crypto";
import type { HookDelivery } from "../../../common/contract/repositories.ts";
import { ConflictError, NotFoundError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import type { HookEvent } from "../../domain/hooks/providers.ts";
import type { Actor } from "../identity/identity.ts";
import { deliveryRow, storeDelivery } from "./receive-hook.ts";
import { resolveRepository, toHookDelivery } from "./repositories.ts";

export async function redeliverHook(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string; delivery: number },
): Promise<HookDelivery> {
  const { repository } = await resolveRepository(ctx, actor, names);
  const original = await ctx.store.repositories.deliveryById({ repositoryId: repository.id, id: names.delivery });
  if (!original) {
    throw new NotFoundError(
      `Delivery ${names.delivery} not found for repository "${repository.name}"`,
      undefined,
      "delivery_not_found",
    );
  }
  if (original.status === "pending") {
    throw new ConflictError(
      "delivery_pending",
      `Delivery ${original.id} is still being processed; send it again once it is done`,
    );
  }
  const event = JSON.parse(original.payload) as HookEvent;
  const row = {
    ...deliveryRow(repository.id, original.provider, `redelivery-${crypto.randomUUID()}`, event, ctx.now()),
    redelivery_of: original.id,
    redelivered_by: actor.username,
  };
  const stored = await storeDelivery(ctx, row);
  if (!stored) throw new Error(`redelivery of ${original.id} was not stored`);
  ctx.log.info("hook delivery sent again", {
    repository: repository.name,
    delivery: original.id,
    as: stored.id,
    by: actor.username,
  });
  return toHookDelivery(stored);
}
