import { describe, expect, it } from "vitest";
import {
  emptySelection,
  type SelectableRow,
  type SelectionState,
  selectionReducer,
  viewSelection,
} from "./selection.ts";

// Rows as the page shows them, newest first: 5 and 2 are finished, the rest can be canceled.
const rows: SelectableRow[] = [
  { id: 7, selectable: true },
  { id: 6, selectable: true },
  { id: 5, selectable: false },
  { id: 4, selectable: true },
  { id: 3, selectable: true },
  { id: 2, selectable: false },
  { id: 1, selectable: true },
];

const click = (state: SelectionState, id: number, opts: { shift?: boolean; checked?: boolean } = {}) =>
  selectionReducer(state, { type: "toggle", id, checked: opts.checked ?? true, shift: opts.shift ?? false, rows });
const ids = (state: SelectionState) => (state.mode === "ids" ? [...state.ids].sort((a, b) => b - a) : state.mode);

describe("selection", () => {
  it("ticks only rows that can be canceled", () => {
    expect(ids(click(emptySelection, 5))).toEqual([]);
    expect(ids(click(emptySelection, 6))).toEqual([6]);
  });

  it("shift-click ticks the cancelable rows between the last click and this one", () => {
    const state = click(click(emptySelection, 6), 1, { shift: true });
    expect(ids(state)).toEqual([6, 4, 3, 1]);
  });

  it("shift-click upwards works the same, and unticking a range unticks it", () => {
    const ticked = click(click(emptySelection, 1), 6, { shift: true });
    expect(ids(ticked)).toEqual([6, 4, 3, 1]);
    const unticked = click(click(ticked, 4, { checked: false }), 1, { shift: true, checked: false });
    expect(ids(unticked)).toEqual([6]);
  });

  it("shift-click without an earlier click ticks just that row", () => {
    expect(ids(click(emptySelection, 4, { shift: true }))).toEqual([4]);
  });

  it("the header ticks every cancelable row on the page, then unticks them", () => {
    const all = selectionReducer(emptySelection, { type: "togglePage", rows });
    expect(ids(all)).toEqual([7, 6, 4, 3, 1]);
    expect(ids(selectionReducer(all, { type: "togglePage", rows }))).toEqual([]);
  });

  it("the header completes a partial selection instead of clearing it", () => {
    const some = click(emptySelection, 4);
    expect(ids(selectionReducer(some, { type: "togglePage", rows }))).toEqual([7, 6, 4, 3, 1]);
  });

  it("offers all active builds only once the page is fully ticked and more exist", () => {
    const some = click(emptySelection, 4);
    expect(viewSelection(some, rows, 40)).toMatchObject({ page: "some", offerAllActive: false, count: 1 });
    const page = selectionReducer(some, { type: "togglePage", rows });
    expect(viewSelection(page, rows, 40)).toMatchObject({ page: "all", offerAllActive: true, count: 5 });
    expect(viewSelection(page, rows, 5)).toMatchObject({ page: "all", offerAllActive: false });
  });

  it("all active builds counts every active build and unticking one falls back to the page", () => {
    const all = selectionReducer(emptySelection, { type: "selectAllActive" });
    expect(viewSelection(all, rows, 40)).toMatchObject({ allActive: true, count: 40, page: "all" });
    expect(ids(click(all, 3, { checked: false }))).toEqual([7, 6, 4, 1]);
    expect(ids(selectionReducer(all, { type: "togglePage", rows }))).toEqual([]);
  });

  it("forgets builds that finished and keeps the rest", () => {
    const state = click(click(emptySelection, 6), 1, { shift: true });
    const after = selectionReducer(state, { type: "forget", ids: [4, 1, 99] });
    expect(ids(after)).toEqual([6, 3]);
    expect(selectionReducer(after, { type: "forget", ids: [99] })).toBe(after);
  });
});
