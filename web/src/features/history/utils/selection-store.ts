/**
 * The current selection view for the components that show one row's checkbox or the header's:
 * they subscribe to it, so ticking re-renders those checkboxes, not the table around them.
 */
import type { SelectionView } from "./selection.ts";

export class SelectionStore {
  private readonly listeners = new Set<() => void>();

  constructor(private view: SelectionView) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): SelectionView => this.view;

  publish(view: SelectionView): void {
    if (view === this.view) return;
    this.view = view;
    for (const listener of this.listeners) listener();
  }
}
