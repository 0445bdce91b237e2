/**
 * The family of bulk operations, one entry per kind: its request schemas, its preview, its
 * accept (a use-case in its own folder: `cancel/`, `rerun/`) and how an accepted operation
 * settles. The API serves `POST .../builds/batch-<kind>(/preview)` for every entry and the
 * settle worker dispatches on the operation's kind, so a new kind is a folder and an entry here,
 * its outcomes in `common/constants.ts` — no new routes, tables or columns.
 */
import type { z } from "zod";
import type { OperationKind } from "../../common/constants.ts";
import {
  BatchCancelRequest,
  type BatchPreview,
  BatchPreviewRequest,
  BatchRerunPreviewRequest,
  BatchRerunRequest,
  type Operation,
} from "../../common/dto.ts";
import type { EngineContext } from "../context.ts";
import { batchCancel, previewCancel } from "./cancel/cancel.ts";
import { settleCancel } from "./cancel/settle.ts";
import type { Actor } from "./identity/identity.ts";
import type { OperationCaller } from "./operations/accept-once.ts";
import type { ScopeNames } from "./operations/selection.ts";
import { batchRerun, previewRerun } from "./rerun/rerun.ts";

export type OperationKindHandlers<P, R> = {
  previewRequest: z.ZodType<P>;
  request: z.ZodType<R>;
  /** What the confirmation shows; changes nothing. */
  preview: (ctx: EngineContext, actor: Actor, names: ScopeNames, request: P) => Promise<BatchPreview>;
  /** Validates and records the operation in one transaction. */
  accept: (ctx: EngineContext, caller: OperationCaller, names: ScopeNames, request: R) => Promise<Operation>;
  /** 202 when the work goes on after the answer (agents stop builds), 201 when it is done. */
  acceptedStatus: 201 | 202;
  /** One settling pass over an accepted operation; true when it is complete. */
  settle: (ctx: EngineContext, operationId: string) => Promise<boolean>;
};

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own request types; the API parses with the kind's schemas.
export const OPERATION_KINDS: Record<OperationKind, OperationKindHandlers<any, any>> = {
  cancel: {
    previewRequest: BatchPreviewRequest,
    request: BatchCancelRequest,
    preview: previewCancel,
    accept: batchCancel,
    acceptedStatus: 202,
    settle: settleCancel,
  },
  rerun: {
    previewRequest: BatchRerunPreviewRequest,
    request: BatchRerunRequest,
    preview: previewRerun,
    accept: batchRerun,
    acceptedStatus: 201,
    // A re-run creates its builds in its accept: nothing is left to settle.
    settle: async () => true,
  },
};

/** The settle-operation task: dispatched on the operation's kind; an unknown kind is an error. */
export async function settleOperation(ctx: EngineContext, operationId: string): Promise<boolean> {
  const op = await ctx.store.operations.find({ id: operationId });
  if (!op || op.status === "completed") return true;
  const handler = OPERATION_KINDS[op.kind as OperationKind];
  if (!handler) throw new Error(`Operation ${op.id} is of unknown kind "${op.kind}"`);
  return handler.settle(ctx, operationId);
}
