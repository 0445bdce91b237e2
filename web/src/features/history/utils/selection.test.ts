import { describe, expect, it } from "vitest";
import {
  emptySelection,
  type SelectableRow,
  type SelectionState,
  selectionReducer,
  tickedFor,
  viewSelection,
} from "./selection.ts";

// Rows as the page shows them, newest first: 5 and 2 finished (they tick to be re-run), 8 is
// being canceled (it ticks for nothing), the rest are active (they tick to be canceled).
const rows: SelectableRow[] = [
  { id: 8, action: null },
  { id: 7, action: "cancel" },
  { id: 6, action: "cancel" },
  { id: 5, action: "rerun" },
  { id: 4, action: "cancel" },
  { id: 3, action: "cancel" },
  { id: 2, action: "rerun" },
  { id: 1, action: "cancel" },
];

const click = (state: SelectionState, id: number, opts: { shift?: boolean; checked?: boolean } = {}) =>
  selectionReducer(state, { type: "toggle", id, checked: opts.checked ?? true, shift: opts.shift ?? false, rows });
const ids = (state: SelectionState) => (state.mode === "ids" ? [...state.ids].sort((a, b) => b - a) : state.mode);
const allMatching = selectionReducer(emptySelection, { type: "selectAllMatching" });

describe("selection", () => {
  it("ticks active rows (to cancel) and finished ones (to re-run), never one that ticks for nothing", () => {
    expect(ids(click(emptySelection, 8))).toEqual([]);
    expect(ids(click(emptySelection, 6))).toEqual([6]);
    expect(ids(click(emptySelection, 5))).toEqual([5]);
  });

  it("counts what each action would reach", () => {
    const state = click(click(click(emptySelection, 7), 5), 4);
    expect(viewSelection(state, rows, 40)).toMatchObject({ count: 3, cancelCount: 2, rerunCount: 1 });
    expect(tickedFor(state, rows, "cancel")).toEqual([7, 4]);
    expect(tickedFor(state, rows, "rerun")).toEqual([5]);
  });

  it("shift-click ticks every tickable row between the last click and this one", () => {
    const state = click(click(emptySelection, 7), 1, { shift: true });
    expect(ids(state)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it("shift-click upwards works the same, and unticking a range unticks it", () => {
    const ticked = click(click(emptySelection, 1), 6, { shift: true });
    expect(ids(ticked)).toEqual([6, 5, 4, 3, 2, 1]);
    const unticked = click(click(ticked, 4, { checked: false }), 1, { shift: true, checked: false });
    expect(ids(unticked)).toEqual([6, 5]);
  });

  it("shift-click without an earlier click ticks just that row", () => {
    expect(ids(click(emptySelection, 4, { shift: true }))).toEqual([4]);
  });

  it("the header ticks every active row on the page, then unticks them, leaving finished ones as they are", () => {
    const all = selectionReducer(click(emptySelection, 5), { type: "togglePage", rows });
    expect(ids(all)).toEqual([7, 6, 5, 4, 3, 1]);
    expect(ids(selectionReducer(all, { type: "togglePage", rows }))).toEqual([5]);
  });

  it("the header completes a partial selection instead of clearing it", () => {
    const some = click(emptySelection, 4);
    expect(ids(selectionReducer(some, { type: "togglePage", rows }))).toEqual([7, 6, 4, 3, 1]);
  });

  it("offers all matching builds only once the page's active rows are all ticked and more match", () => {
    const some = click(emptySelection, 4);
    expect(viewSelection(some, rows, 40)).toMatchObject({ page: "some", offerAllMatching: false, count: 1 });
    const page = selectionReducer(some, { type: "togglePage", rows });
    expect(viewSelection(page, rows, 40)).toMatchObject({ page: "all", offerAllMatching: true, cancelCount: 5 });
    expect(viewSelection(page, rows, 5)).toMatchObject({ page: "all", offerAllMatching: false });
  });

  it("all matching counts every matching active build; unticking one keeps all matching except it", () => {
    expect(viewSelection(allMatching, rows, 40)).toMatchObject({
      allMatching: true,
      count: 40,
      cancelCount: 40,
      rerunCount: 0,
      excluded: 0,
      page: "all",
    });
    const except = click(allMatching, 3, { checked: false });
    expect(except).toEqual({ mode: "allMatching", except: new Set([3]) });
    const view = viewSelection(except, rows, 40);
    expect(view).toMatchObject({ allMatching: true, count: 39, excluded: 1, page: "some" });
    expect(view.isSelected(3)).toBe(false);
    expect(view.isSelected(4)).toBe(true);
    expect(view.isSelected(5)).toBe(false);
    expect(click(except, 3)).toEqual({ mode: "allMatching", except: new Set() });
  });

  it("ticking a finished row under all matching starts a selection of what the page shows ticked", () => {
    const except = click(allMatching, 3, { checked: false });
    expect(ids(click(except, 5))).toEqual([7, 6, 5, 4, 1]);
  });

  it("the header under all matching clears the selection", () => {
    expect(ids(selectionReducer(allMatching, { type: "togglePage", rows }))).toEqual([]);
  });

  it("forgets builds that can no longer be ticked and keeps the rest, also among the rows left out of all matching", () => {
    const state = click(click(emptySelection, 7), 1, { shift: true });
    const after = selectionReducer(state, { type: "forget", ids: [4, 1, 99] });
    expect(ids(after)).toEqual([7, 6, 5, 3, 2]);
    expect(selectionReducer(after, { type: "forget", ids: [99] })).toBe(after);
    const except = click(click(allMatching, 3, { checked: false }), 4, { checked: false });
    expect(selectionReducer(except, { type: "forget", ids: [3] })).toEqual({
      mode: "allMatching",
      except: new Set([4]),
    });
  });
});
