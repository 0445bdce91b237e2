/**
 * Which builds a bulk action of the history page names: the filters travel whole (the server
 * finds every match, on every page), ticked rows travel as ids. Nothing pages through history.
 */
import type { CancellationPreviewRequest, RerunPreviewRequest } from "@common/bff-api.ts";
import type { CancelFilter } from "@common/dto.ts";
import { CANCELABLE_STATUSES } from "@common/statuses.ts";
import type { HistoryFilters } from "../../../lib/query-keys.ts";
import { type SelectableRow, type SelectionState, tickedFor } from "./selection.ts";

/**
 * The cancel the page's filters stand for: the active statuses among those chosen (both, when
 * none is), on the chosen branch, of the chosen trigger and pull request. Null when no chosen
 * status can be canceled.
 */
export function cancelFilterOf(filters: HistoryFilters): CancelFilter | null {
  const status = CANCELABLE_STATUSES.filter((s) => filters.status.length === 0 || filters.status.includes(s));
  if (status.length === 0) return null;
  return {
    status,
    ...(filters.branch ? { branch: filters.branch } : {}),
    ...(filters.trigger !== undefined ? { trigger: filters.trigger } : {}),
    ...(filters.pullRequest !== undefined ? { pullRequest: filters.pullRequest } : {}),
  };
}

/** "Cancel selected": every matching build less the unticked ones, or the ticked active rows. */
export function cancelTargets(
  state: SelectionState,
  rows: readonly SelectableRow[],
  filter: CancelFilter | null,
): CancellationPreviewRequest | null {
  if (state.mode === "allMatching") {
    if (!filter) return null;
    return state.except.size > 0 ? { filter, excludeBuildIds: [...state.except] } : { filter };
  }
  const buildIds = tickedFor(state, rows, "cancel");
  return buildIds.length > 0 ? { buildIds } : null;
}

/** "Re-run": the ticked finished rows. */
export function rerunTargets(state: SelectionState, rows: readonly SelectableRow[]): RerunPreviewRequest | null {
  const buildIds = tickedFor(state, rows, "rerun");
  return buildIds.length > 0 ? { buildIds } : null;
}
