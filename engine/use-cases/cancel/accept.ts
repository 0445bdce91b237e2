/**
 * Accepting a cancel: the synchronous half of the bulk-cancel primitive. One transaction,
 * batched statements: validate → freeze targets → transition → record → answer. A single
 * cancel, a multi-select, "cancel all running", the concurrency policy and the CLI all come here.
 */
import crypto from "node:crypto";
import type { OperationSource } from "../../../common/constants.ts";
import type { OperationSelection } from "../../../common/dto.ts";
import { ConflictError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { type Narrowed, narrow } from "../../domain/bulk-selection.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { BuildRef } from "../../store/builds-repo.ts";
import type { OperationRow } from "../../store/operations-repo.ts";
import type { OperationsTable } from "../../store/schema.ts";
import type { Store } from "../../store/store.ts";
import { operationEvent } from "../event-payloads.ts";
import { finalizeCancels } from "../operations/finalize.ts";
import { narrowedHash, type Selected } from "../operations/selection.ts";
import { SETTLE_TASK } from "../operations/tasks.ts";

/**
 * Ids already checked to be builds of the scope (before anything was locked); a filter frozen now
 * — with a preview's snapshot bound to builds that existed then (`match.maxId`), and builds it
 * matched then that finished since reported as such; or builds the caller already locked (the
 * concurrency policy inside a trigger).
 */
export type CancelTargets = Selected | { kind: "refs"; refs: readonly BuildRef[] };

export type AcceptCancelInput = {
  projectId: number;
  /** Null: project-wide. */
  pipelineId: number | null;
  selection?: OperationSelection;
  /** A bulk operation counts against the caller's running-operations limit (see `acceptOnce`). */
  limited: boolean;
  actor: string;
  source: OperationSource;
  reason: string | null;
  /** Each build's own reason where it differs from the operation's (a push superseding in several pipelines). */
  reasons?: ReadonlyMap<number, string> | undefined;
  targets: CancelTargets;
  /** Any target that is no longer active aborts the whole request (409, nothing changes). */
  atomic: boolean;
  /** Targets already CANCELING are finalized now and their processes SIGKILLed. */
  force: boolean;
  /** false when no pipeline the targets can be in has a protected job: nothing to look up. */
  mayProtect?: boolean;
  idempotency?: { key: string; requestHash: string };
};

/**
 * Accepts a cancel in the caller's transaction. A request (with its repeat key and the per-user
 * limit) comes through `acceptOnce`; the concurrency policy calls this inside its trigger.
 */
export async function acceptCancel(ctx: EngineContext, tx: Store, input: AcceptCancelInput): Promise<OperationRow> {
  const started = performance.now();
  const { targets, narrowed } = await freezeTargets(tx, input);
  const shielded = await protectedAmong(tx, input, targets);
  checkAtomic(input, targets, shielded);

  const operationId = crypto.randomUUID();
  const now = ctx.now();
  const moving = shielded.size === 0 ? targets : targets.filter((t) => !shielded.has(t.id));
  const moved = await tx.transition({
    ids: moving.map((t) => t.id),
    known: new Map(moving.map((t) => [t.id, t])),
    event: "cancel",
    now,
    set: {
      cancel_by: input.actor,
      cancel_reason: input.reasons ? tx.builds.reasonPerBuild(input.reasons, input.reason) : input.reason,
      cancel_operation_id: operationId,
      cancel_at: now,
    },
  });
  const forced = input.force ? targets.filter((t) => t.status === "CANCELING").map((t) => t.id) : [];
  const canceledNow = moved.filter((b) => b.status === "CANCELED").map((b) => b.id);

  const selection = narrowed
    ? { ...input.selection, kept: narrowed.kept.length, leftOutProtected: narrowed.leftOut.length }
    : input.selection;
  const operation = newOperation({ ...input, ...(selection ? { selection } : {}) }, operationId, now, {
    total: targets.length,
    canceled: canceledNow.length,
    protected: shielded.size,
    pending: moved.length - canceledNow.length + forced.length,
  });
  await tx.operations.insert({ operation });
  await tx.operations.insertItemsFromBuilds({
    operationId,
    buildIds: targets.map((t) => t.id),
    force: input.force,
    protectedIds: [...shielded],
  });
  await tx.operations.insertAudit({
    project_id: input.projectId,
    action: "cancel",
    actor: input.actor,
    source: input.source,
    reason: input.reason,
    operation_id: operationId,
    targets: targets.length,
    created_at: now,
  });
  await tx.jobs.endUnstarted({ buildIds: canceledNow, status: "CANCELED", now });
  await tx.jobs.closeSteps({ buildIds: canceledNow, runningBecomes: "CANCELED", now });
  await tx.events.append({ events: [operationEvent(operation)], now });

  await finalizeCancels(ctx, tx, { buildIds: forced, force: true, note: "forced", countsNow: true });
  if (operation.pending > 0) {
    await tx.queue.enqueue({ kind: SETTLE_TASK, ref: operationId, runAt: now, now });
    tx.afterCommit(() => ctx.bus.publish(TOPICS.work));
  }
  tx.afterCommit(() => {
    ctx.bus.publish(TOPICS.anyAgent);
    const source = input.source;
    ctx.metrics.cancelAccepted({
      source,
      total: targets.length,
      builds: moved.length,
      durationMs: performance.now() - started,
    });
    if (operation.status === "completed") ctx.metrics.operationSettled({ source, durationMs: 0 });
  });
  return (await tx.operations.find({ id: operationId })) as OperationRow;
}

/**
 * The request's targets as they are now, locked; for a narrowed filter, what it kept and left out.
 * Confirming a preview, the narrowing ranks what the filter matched at the preview (builds that
 * finished or began stopping since included), so the kept and canceled builds are the previewed
 * ones; if they are not (the project's protected branches changed), 409 and nothing changes.
 */
async function freezeTargets(
  tx: Store,
  input: AcceptCancelInput,
): Promise<{ targets: readonly BuildRef[]; narrowed?: Narrowed }> {
  const t = input.targets;
  if (t.kind === "refs") return { targets: t.refs };
  if (t.kind === "ids") return { targets: await tx.builds.lockRefs({ ids: t.buildIds }) };
  const matching = await tx.builds.lockMatching(t.match);
  const at = t.previewedAt;
  const all = at === undefined ? matching : [...matching, ...(await tx.builds.finishedSince({ ...t.match, at }))];
  const byId = (a: BuildRef, b: BuildRef) => a.id - b.id;
  if (!t.narrowing) {
    if (at !== undefined && t.narrowed !== undefined) throw previewChanged();
    return { targets: all.sort(byId) };
  }
  const stopping = at !== undefined && t.narrowing.keepNewest ? await tx.builds.stoppingSince({ ...t.match, at }) : [];
  const narrowed = narrow([...all, ...stopping], t.narrowing);
  if (at !== undefined && t.narrowed !== narrowedHash(t.narrowing, narrowed)) throw previewChanged();
  const out = new Set([...narrowed.leftOut, ...narrowed.kept]);
  return { targets: all.filter((b) => !out.has(b.id)).sort(byId), narrowed };
}

function previewChanged(): ConflictError {
  return new ConflictError(
    "preview_changed",
    "What the preview kept or left out has changed (the project's protected branches?): preview again, then confirm",
  );
}

/**
 * Targets with a protected job (`interruptible: false`) that has started: no cancel touches them
 * unless it is forced (a person ticking "also stop protected builds"); automatic cancels never are.
 */
async function protectedAmong(tx: Store, input: AcceptCancelInput, targets: readonly BuildRef[]): Promise<Set<number>> {
  if (input.force || input.mayProtect === false) return new Set();
  const active = targets.filter((t) => t.status === "QUEUED" || t.status === "RUNNING").map((t) => t.id);
  return tx.jobs.protectedBuilds({ buildIds: active });
}

function checkAtomic(input: AcceptCancelInput, targets: readonly BuildRef[], shielded: ReadonlySet<number>): void {
  if (!input.atomic) return;
  const guarded = targets.filter((t) => shielded.has(t.id));
  const [first] = guarded;
  if (first) {
    throw new ConflictError(
      "build_protected",
      targets.length === 1
        ? `Build #${first.number} has a protected job (interruptible: false) under way; force the cancel to stop it`
        : `${guarded.length} of the builds have a protected job under way; nothing was canceled`,
      { builds: guarded.map((b) => ({ id: b.id, number: b.number })) },
    );
  }
  const cancelable = (s: string) => s === "QUEUED" || s === "RUNNING" || (input.force && s === "CANCELING");
  const finished = targets.filter((t) => !cancelable(t.status));
  if (finished.length === 0) return;
  const only = targets.length === 1 ? targets[0] : undefined;
  const message =
    only?.status === "CANCELING"
      ? `Build #${only.number} is already being canceled; send force: true to stop it now`
      : only
        ? `Build #${only.number} already finished (${only.status})`
        : `${finished.length} of the ${targets.length} builds are no longer active; nothing was canceled`;
  throw new ConflictError(only?.status === "CANCELING" ? "already_canceling" : "already_finished", message, {
    builds: finished.map((b) => ({ id: b.id, number: b.number, status: b.status })),
  });
}

function newOperation(
  input: AcceptCancelInput,
  id: string,
  now: number,
  counts: { total: number; canceled: number; protected: number; pending: number },
): OperationsTable {
  const done = counts.pending === 0;
  return {
    id,
    kind: "cancel",
    status: done ? "completed" : "running",
    source: input.source,
    project_id: input.projectId,
    pipeline_id: input.pipelineId,
    scope: input.pipelineId === null ? "project" : "pipeline",
    selection: input.selection ? JSON.stringify(input.selection) : null,
    requested_by: input.actor,
    reason: input.reason,
    force: input.force ? 1 : 0,
    limited: input.limited ? 1 : 0,
    total: counts.total,
    counts: JSON.stringify({
      canceled: counts.canceled,
      already_finished: counts.total - counts.canceled - counts.pending - counts.protected,
      ...(counts.protected > 0 ? { protected: counts.protected } : {}),
    }),
    pending: counts.pending,
    idempotency_key: input.idempotency?.key ?? null,
    request_hash: input.idempotency?.requestHash ?? null,
    created_at: now,
    completed_at: done ? now : null,
    rerun_by: null,
    rerun_of: null,
    stuck_at: null,
    stuck_said: 0,
  };
}
