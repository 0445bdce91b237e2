/**
 * The history page's selection as a state machine, kept free of React so its rules are tested
 * directly: queued and running rows tick to be canceled, finished ones to be re-run; shift-click
 * ticks a range; the header ticks the page's active rows; and "all matching" is a distinct state
 * that covers pages not loaded and remembers the rows unticked since ("all matching except 1").
 */

/** What ticking a row is for: canceling it, re-running it, or nothing (it cannot be ticked). */
export type RowAction = "cancel" | "rerun" | null;
export type SelectableRow = { id: number; action: RowAction };

export type SelectionState =
  | { mode: "ids"; ids: ReadonlySet<number>; anchor: number | null }
  /** Every active build matching the filters, on every page, except the ones unticked since. */
  | { mode: "allMatching"; except: ReadonlySet<number> };

export type SelectionAction =
  /** A row's checkbox changed to `checked`; with `shift`, every tickable row from the last click to this one follows. */
  | { type: "toggle"; id: number; checked: boolean; shift: boolean; rows: readonly SelectableRow[] }
  /** The header checkbox: tick every active row on the page, or untick them when all are ticked. */
  | { type: "togglePage"; rows: readonly SelectableRow[] }
  | { type: "selectAllMatching" }
  | { type: "clear" }
  /** These builds can no longer be ticked for anything (being canceled, or finished for someone who may not re-run). */
  | { type: "forget"; ids: readonly number[] };

export const emptySelection: SelectionState = { mode: "ids", ids: new Set(), anchor: null };

export function selectionReducer(state: SelectionState, action: SelectionAction): SelectionState {
  switch (action.type) {
    case "toggle":
      return state.mode === "allMatching" ? toggleInAllMatching(state, action) : toggle(state, action);
    case "togglePage":
      return togglePage(state, action.rows);
    case "selectAllMatching":
      return { mode: "allMatching", except: new Set() };
    case "clear":
      return emptySelection;
    case "forget":
      return forget(state, action.ids);
  }
}

type Toggle = Extract<SelectionAction, { type: "toggle" }>;

/** The rows a click changes: the one clicked, or the range from the anchor to it. */
function rangeOf(rows: readonly SelectableRow[], id: number, anchor: number | null, shift: boolean) {
  const to = rows.findIndex((row) => row.id === id);
  const from = shift && anchor !== null ? rows.findIndex((row) => row.id === anchor) : -1;
  return from >= 0 ? rows.slice(Math.min(from, to), Math.max(from, to) + 1) : rows.slice(to, to + 1);
}

function toggle(state: Extract<SelectionState, { mode: "ids" }>, action: Toggle): SelectionState {
  const { id, checked, shift, rows } = action;
  if (!rows.find((row) => row.id === id)?.action) return state;
  const ids = new Set(state.ids);
  for (const row of rangeOf(rows, id, state.anchor, shift)) {
    if (!row.action) continue;
    if (checked) ids.add(row.id);
    else ids.delete(row.id);
  }
  return { mode: "ids", ids, anchor: id };
}

/**
 * Unticking active rows leaves them out of "all matching"; ticking them again takes them back.
 * A finished row is not part of it: ticking one starts a selection of what is ticked on the page.
 */
function toggleInAllMatching(state: Extract<SelectionState, { mode: "allMatching" }>, action: Toggle): SelectionState {
  const target = action.rows.find((row) => row.id === action.id);
  if (!target?.action) return state;
  if (target.action === "rerun") {
    const ticked = pageIds(action.rows).filter((id) => !state.except.has(id));
    return toggle({ mode: "ids", ids: new Set(ticked), anchor: null }, { ...action, shift: false });
  }
  const except = new Set(state.except);
  if (action.checked) except.delete(target.id);
  else except.add(target.id);
  return { mode: "allMatching", except };
}

function togglePage(state: SelectionState, rows: readonly SelectableRow[]): SelectionState {
  if (state.mode === "allMatching") return emptySelection;
  const page = pageIds(rows);
  const ids = new Set(state.ids);
  const allTicked = page.length > 0 && page.every((id) => ids.has(id));
  for (const id of page) {
    if (allTicked) ids.delete(id);
    else ids.add(id);
  }
  return { mode: "ids", ids, anchor: null };
}

function forget(state: SelectionState, gone: readonly number[]): SelectionState {
  const current = state.mode === "ids" ? state.ids : state.except;
  const present = gone.filter((id) => current.has(id));
  if (present.length === 0) return state;
  const next = new Set(current);
  for (const id of present) next.delete(id);
  if (state.mode === "allMatching") return { mode: "allMatching", except: next };
  return { mode: "ids", ids: next, anchor: state.anchor !== null && next.has(state.anchor) ? state.anchor : null };
}

/** The active rows on the page that can be ticked: what the header ticks. */
function pageIds(rows: readonly SelectableRow[]): number[] {
  return rows.filter((row) => row.action === "cancel").map((row) => row.id);
}

export type SelectionView = {
  /** Builds ticked, or all matching less those unticked: the toolbar's "N selected". */
  count: number;
  /** Of those, the builds a cancel would reach. */
  cancelCount: number;
  /** Of those, the finished builds a re-run would reach. */
  rerunCount: number;
  allMatching: boolean;
  /** Rows unticked since "all matching" was chosen. */
  excluded: number;
  isSelected: (id: number) => boolean;
  /** The header checkbox: every active row on the page ticked, some, or none. */
  page: "all" | "some" | "none";
  /** Offer "Select all M matching": the page's active rows are all ticked and more active builds match. */
  offerAllMatching: boolean;
};

/** What the page shows for a selection, given the rows on screen and how many active builds match in all. */
export function viewSelection(
  state: SelectionState,
  rows: readonly SelectableRow[],
  totalMatching: number,
): SelectionView {
  const page = pageIds(rows);
  if (state.mode === "allMatching") {
    const onPage = new Set(page);
    const ticked = page.filter((id) => !state.except.has(id)).length;
    const count = Math.max(0, totalMatching - state.except.size);
    return {
      count,
      cancelCount: count,
      rerunCount: 0,
      allMatching: true,
      excluded: state.except.size,
      isSelected: (id) => onPage.has(id) && !state.except.has(id),
      page: pageState(ticked, page.length),
      offerAllMatching: false,
    };
  }
  const action = new Map(rows.map((row) => [row.id, row.action]));
  let cancelCount = 0;
  let rerunCount = 0;
  for (const id of state.ids) {
    if (action.get(id) === "cancel") cancelCount++;
    else if (action.get(id) === "rerun") rerunCount++;
  }
  const header = pageState(page.filter((id) => state.ids.has(id)).length, page.length);
  return {
    count: cancelCount + rerunCount,
    cancelCount,
    rerunCount,
    allMatching: false,
    excluded: 0,
    isSelected: (id) => state.ids.has(id),
    page: header,
    offerAllMatching: header === "all" && totalMatching > cancelCount,
  };
}

function pageState(ticked: number, size: number): SelectionView["page"] {
  return size > 0 && ticked === size ? "all" : ticked > 0 ? "some" : "none";
}

/** The ticked builds for each action: a cancel's, and a re-run's (finished builds). */
export function tickedFor(state: SelectionState, rows: readonly SelectableRow[], action: "cancel" | "rerun"): number[] {
  if (state.mode === "allMatching") return [];
  const kind = new Map(rows.map((row) => [row.id, row.action]));
  return [...state.ids].filter((id) => kind.get(id) === action);
}
