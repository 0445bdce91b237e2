import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useState } from "react";
import type { Build } from "../../../../../common/dto.ts";
import { isCancelableStatus, isTerminal } from "../../../../../common/statuses.ts";
import { emptySelection, type SelectableRow, selectionReducer, viewSelection } from "../utils/selection.ts";
import { SelectionStore } from "../utils/selection-store.ts";

export function isCancelable(build: Pick<Build, "status">): boolean {
  return isCancelableStatus(build.status);
}

export type BuildSelection = ReturnType<typeof useBuildSelection>;

/**
 * The selection state machine bound to the rows on screen and the number of active builds in all.
 * Only builds the user may cancel can be ticked (`canCancel`: their role allows it). A new
 * `resetKey` (the filters) starts over with nothing selected.
 */
export function useBuildSelection(
  rows: readonly Build[],
  totalActive: number,
  { canCancel, resetKey = "" }: { canCancel: boolean; resetKey?: string },
) {
  const [state, dispatch] = useReducer(selectionReducer, emptySelection);
  const [selectionKey, setSelectionKey] = useState(resetKey);
  if (selectionKey !== resetKey) {
    setSelectionKey(resetKey);
    dispatch({ type: "clear" });
  }
  const selectable: SelectableRow[] = useMemo(
    () => rows.map((build) => ({ id: build.id, selectable: canCancel && isCancelable(build) })),
    [rows, canCancel],
  );
  // A build that finished can no longer be canceled; the rest of the selection stays.
  useEffect(() => {
    const finished = rows.filter((build) => isTerminal(build.status)).map((build) => build.id);
    if (finished.length > 0) dispatch({ type: "forget", ids: finished });
  }, [rows]);
  const view = useMemo(() => viewSelection(state, selectable, totalActive), [state, selectable, totalActive]);
  // The checkboxes read the view from here, so a tick does not re-render the table's other cells.
  const [store] = useState(() => new SelectionStore(view));
  useLayoutEffect(() => store.publish(view), [store, view]);

  const toggle = useCallback(
    (id: number, checked: boolean, shift: boolean) =>
      dispatch({ type: "toggle", id, checked, shift, rows: selectable }),
    [selectable],
  );
  const togglePage = useCallback(() => dispatch({ type: "togglePage", rows: selectable }), [selectable]);
  const selectAllActive = useCallback(() => dispatch({ type: "selectAllActive" }), []);
  const clear = useCallback(() => dispatch({ type: "clear" }), []);
  const forget = useCallback((ids: readonly number[]) => dispatch({ type: "forget", ids }), []);

  return { state, view, store, toggle, togglePage, selectAllActive, clear, forget };
}
