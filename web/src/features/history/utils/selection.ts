/**
 * The history page's selection as a state machine, kept free of React so its rules are tested
 * directly: only cancelable rows tick, shift-click ticks a range, the header ticks the page, and
 * "all active builds" is a distinct state that covers pages not loaded.
 */
export type SelectableRow = { id: number; selectable: boolean };

export type SelectionState = { mode: "ids"; ids: ReadonlySet<number>; anchor: number | null } | { mode: "allActive" };

export type SelectionAction =
  /** A row's checkbox changed to `checked`; with `shift`, every selectable row from the last click to this one follows. */
  | { type: "toggle"; id: number; checked: boolean; shift: boolean; rows: readonly SelectableRow[] }
  /** The header checkbox: tick every selectable row on the page, or untick them when all are ticked. */
  | { type: "togglePage"; rows: readonly SelectableRow[] }
  | { type: "selectAllActive" }
  | { type: "clear" }
  /** These builds can no longer be canceled (they finished). */
  | { type: "forget"; ids: readonly number[] };

export const emptySelection: SelectionState = { mode: "ids", ids: new Set(), anchor: null };

export function selectionReducer(state: SelectionState, action: SelectionAction): SelectionState {
  switch (action.type) {
    case "toggle":
      return toggle(state, action);
    case "togglePage":
      return togglePage(state, action.rows);
    case "selectAllActive":
      return { mode: "allActive" };
    case "clear":
      return emptySelection;
    case "forget": {
      if (state.mode === "allActive") return state;
      const gone = action.ids.filter((id) => state.ids.has(id));
      if (gone.length === 0) return state;
      const ids = new Set(state.ids);
      for (const id of gone) ids.delete(id);
      return { mode: "ids", ids, anchor: state.anchor !== null && ids.has(state.anchor) ? state.anchor : null };
    }
  }
}

function toggle(state: SelectionState, action: Extract<SelectionAction, { type: "toggle" }>): SelectionState {
  const { id, checked, shift, rows } = action;
  const target = rows.find((row) => row.id === id);
  if (!target?.selectable) return state;
  // Leaving "all active": what stays ticked is what the user sees ticked on the page.
  const current = state.mode === "allActive" ? pageIds(rows) : state.ids;
  const anchor = state.mode === "ids" ? state.anchor : null;
  const ids = new Set(current);
  const from = shift && anchor !== null ? rows.findIndex((row) => row.id === anchor) : -1;
  const to = rows.indexOf(target);
  const range = from >= 0 ? rows.slice(Math.min(from, to), Math.max(from, to) + 1) : [target];
  for (const row of range) {
    if (!row.selectable) continue;
    if (checked) ids.add(row.id);
    else ids.delete(row.id);
  }
  return { mode: "ids", ids, anchor: id };
}

function togglePage(state: SelectionState, rows: readonly SelectableRow[]): SelectionState {
  if (state.mode === "allActive") return emptySelection;
  const page = pageIds(rows);
  const ids = new Set(state.ids);
  const allTicked = page.size > 0 && [...page].every((id) => ids.has(id));
  for (const id of page) {
    if (allTicked) ids.delete(id);
    else ids.add(id);
  }
  return { mode: "ids", ids, anchor: null };
}

function pageIds(rows: readonly SelectableRow[]): Set<number> {
  return new Set(rows.filter((row) => row.selectable).map((row) => row.id));
}

export type SelectionView = {
  /** How many builds a cancel would target. */
  count: number;
  allActive: boolean;
  isSelected: (id: number) => boolean;
  /** The header checkbox: every selectable row on the page ticked, some, or none. */
  page: "all" | "some" | "none";
  /** Offer "Select all M active builds": the page is fully ticked and more active builds exist. */
  offerAllActive: boolean;
};

/** What the page shows for a selection, given the rows on screen and how many active builds exist in all. */
export function viewSelection(
  state: SelectionState,
  rows: readonly SelectableRow[],
  totalActive: number,
): SelectionView {
  const page = pageIds(rows);
  if (state.mode === "allActive") {
    return {
      count: totalActive,
      allActive: true,
      isSelected: (id) => page.has(id),
      page: page.size > 0 ? "all" : "none",
      offerAllActive: false,
    };
  }
  const ticked = [...page].filter((id) => state.ids.has(id)).length;
  const pageState = page.size > 0 && ticked === page.size ? "all" : ticked > 0 ? "some" : "none";
  return {
    count: state.ids.size,
    allActive: false,
    isSelected: (id) => state.ids.has(id),
    page: pageState,
    offerAllActive: pageState === "all" && totalActive > state.ids.size,
  };
}
