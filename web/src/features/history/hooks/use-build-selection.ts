import type { Build } from "@common/dto.ts";
import { isCancelableStatus, isTerminal } from "@common/statuses.ts";
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from "react";
import {
  emptySelection,
  type RowAction,
  type SelectableRow,
  selectionReducer,
  viewSelection,
} from "../utils/selection.ts";
import { SelectionStore } from "../utils/selection-store.ts";

export function isCancelable(build: Pick<Build, "status">): boolean {
  return isCancelableStatus(build.status);
}

/** What ticking a build is for, given what the user may do: cancel an active one, re-run a finished one. */
export function rowAction(
  build: Pick<Build, "status">,
  permissions: { canCancel: boolean; canTrigger: boolean } | undefined,
): RowAction {
  if (isCancelable(build)) return permissions?.canCancel ? "cancel" : null;
  if (isTerminal(build.status)) return permissions?.canTrigger ? "rerun" : null;
  return null;
}

export type BuildSelection = ReturnType<typeof useBuildSelection>;

/**
 * The selection state machine bound to the rows on screen and the number of active builds
 * matching the filters in all; what a row ticks for follows what the user may do. A new
 * `resetKey` (the filters) starts over with nothing selected.
 */
export function useBuildSelection(
  builds: readonly Build[],
  totalMatching: number,
  { canCancel, canTrigger, resetKey = "" }: { canCancel: boolean; canTrigger: boolean; resetKey?: string },
) {
  const [state, dispatch] = useReducer(selectionReducer, emptySelection);
  const [selectionKey, setSelectionKey] = useState(resetKey);
  if (selectionKey !== resetKey) {
    setSelectionKey(resetKey);
    dispatch({ type: "clear" });
  }
  const rows: SelectableRow[] = useMemo(
    () => builds.map((build) => ({ id: build.id, action: rowAction(build, { canCancel, canTrigger }) })),
    [builds, canCancel, canTrigger],
  );
  // A build being canceled can be ticked for nothing; the rest of the selection stays (a ticked
  // build that finishes stays ticked, now to be re-run).
  useEffect(() => {
    const gone = rows.filter((row) => row.action === null).map((row) => row.id);
    if (gone.length > 0) dispatch({ type: "forget", ids: gone });
  }, [rows]);
  const view = useMemo(() => viewSelection(state, rows, totalMatching), [state, rows, totalMatching]);
  // The checkboxes read the view from here, so a tick does not re-render the table's other cells.
  const [store] = useState(() => new SelectionStore(view));
  useLayoutEffect(() => store.publish(view), [store, view]);

  // Stable callbacks that read the latest rows: the table's cells keep the callback they rendered with.
  const latest = useRef(rows);
  useLayoutEffect(() => {
    latest.current = rows;
  }, [rows]);
  const toggle = useCallback(
    (id: number, checked: boolean, shift: boolean) =>
      dispatch({ type: "toggle", id, checked, shift, rows: latest.current }),
    [],
  );
  const togglePage = useCallback(() => dispatch({ type: "togglePage", rows: latest.current }), []);
  const selectAllMatching = useCallback(() => dispatch({ type: "selectAllMatching" }), []);
  const clear = useCallback(() => dispatch({ type: "clear" }), []);

  return { state, rows, view, store, toggle, togglePage, selectAllMatching, clear };
}
