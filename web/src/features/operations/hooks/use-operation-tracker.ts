import type { Operation } from "@common/dto.ts";
import { createContext, use } from "react";

export type OperationTracker = {
  /** Shows the operation's progress toast until it ends and the user has seen the summary. */
  track: (operation: Operation) => void;
};

export const OperationTrackerContext = createContext<OperationTracker | null>(null);

export function useOperationTracker(): OperationTracker {
  const tracker = use(OperationTrackerContext);
  if (!tracker) throw new Error("useOperationTracker needs an OperationTrackerProvider");
  return tracker;
}
