/**
 * An inbound hook, as steps: find the repository the URL names → check the provider's signature
 * over the raw body (nothing is parsed or stored before) → read the event → check the payload is
 * about this repository → store the delivery once per delivery id and queue its processing →
 * answer 202 with the stored delivery. The work is done from the stored delivery
 * (`process-delivery.ts`), so the provider never waits for builds to be created.
 */
import type { HookAccepted } from "../../../common/contract/repositories.ts";
import { NotFoundError, UnprocessableError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { claimMatches, type HookEvent, readHook } from "../../domain/hooks/providers.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { HookDeliveryRow, NewHookDelivery } from "../../store/repositories-repo.ts";
import { secretBox } from "../identity/secret-box.ts";
import { HOOK_TASK } from "./process-delivery.ts";
import { NO_EFFECTS, toHookDelivery } from "./repositories.ts";

export type InboundHook = {
  /** Lower-case names, as Node gives them. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  contentType: string | undefined;
};

export async function receiveHook(
  ctx: EngineContext,
  names: { project: string; repository: string },
  hook: InboundHook,
): Promise<HookAccepted> {
  const repository = await ctx.store.repositories.findByNames({ project: names.project, name: names.repository });
  if (!repository) {
    throw new NotFoundError(
      `Repository "${names.repository}" not found in "${names.project}"`,
      undefined,
      "repository_not_found",
    );
  }
  const reading = readHook({
    provider: repository.provider as Parameters<typeof readHook>[0]["provider"],
    headers: hook.headers,
    body: hook.body,
    contentType: hook.contentType,
    secret: secretBox(ctx.settings).open(repository.hook_secret),
  });
  if (!claimMatches(reading.claim, { name: repository.name, url: repository.url, fullName: repository.full_name })) {
    throw new UnprocessableError(
      "hook_wrong_repository",
      `This payload is about another repository (${reading.claim.fullName ?? reading.claim.urls[0] ?? reading.claim.name}), not "${repository.name}" (${repository.url})`,
    );
  }

  const row = deliveryRow(repository.id, repository.provider, reading.deliveryId, reading.event, ctx.now());
  const inserted = await storeDelivery(ctx, row);
  // A delivery id seen before: the first delivery, as it stands now.
  const stored =
    inserted ??
    (await ctx.store.repositories.deliveryByDeliveryId({ repositoryId: repository.id, deliveryId: row.delivery_id }));
  if (!stored) throw new Error(`delivery ${row.delivery_id} was not stored`);
  return { delivery: toHookDelivery(stored), repeated: inserted === undefined };
}

/** Stores a delivery once per delivery id and queues its processing; the new row, or undefined when seen before. */
export async function storeDelivery(ctx: EngineContext, row: NewHookDelivery): Promise<HookDeliveryRow | undefined> {
  return ctx.store.transaction(async (tx) => {
    const stored = await tx.repositories.insertDelivery(row);
    if (stored?.status === "pending") {
      await tx.queue.enqueue({ kind: HOOK_TASK, ref: String(stored.id), runAt: row.received_at, now: row.received_at });
      tx.afterCommit(() => ctx.bus.publish(TOPICS.work));
    }
    return stored;
  });
}

/** The log's row: what the event is about; pings and events Sluice does not act on are ignored at once. */
export function deliveryRow(
  repositoryId: number,
  provider: string,
  deliveryId: string,
  event: HookEvent,
  now: number,
): NewHookDelivery {
  const base = {
    repository_id: repositoryId,
    delivery_id: deliveryId,
    provider,
    payload: JSON.stringify(event),
    sender: event.sender || null,
    received_at: now,
    action: null,
    branch: null,
    commit_sha: null,
    pull_request: null,
  };
  switch (event.kind) {
    case "push":
      return {
        ...base,
        event: "push",
        branch: event.branch,
        commit_sha: event.commit,
        status: "pending",
        reason: null,
        effects: null,
        processed_at: null,
      };
    case "branch_deleted":
      return {
        ...base,
        event: "branch_deleted",
        branch: event.branch,
        status: "pending",
        reason: null,
        effects: null,
        processed_at: null,
      };
    case "pull_request":
      return {
        ...base,
        event: "pull_request",
        action: event.action,
        branch: event.headBranch,
        commit_sha: event.commit || null,
        pull_request: event.number,
        status: "pending",
        reason: null,
        effects: null,
        processed_at: null,
      };
    case "ping":
      return {
        ...base,
        event: "ping",
        status: "ignored",
        reason: "ping",
        effects: JSON.stringify(NO_EFFECTS),
        processed_at: now,
      };
    case "other":
      return {
        ...base,
        event: event.event,
        status: "ignored",
        reason: event.why,
        effects: JSON.stringify(NO_EFFECTS),
        processed_at: now,
      };
    default: {
      const never: never = event;
      throw new Error(`unknown hook event ${JSON.stringify(never)}`);
    }
  }
}
