import type { Operation } from "@common/dto.ts";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useCallback, useMemo, useState } from "react";
import { queryKeys } from "../../../lib/query-keys.ts";
import { OperationTrackerContext } from "../hooks/use-operation-tracker.ts";

// The toast's code (progress bar, failure list, retry) loads with the first operation, not with every page.
const OperationToast = lazy(() => import("./operation-toast.tsx").then((m) => ({ default: m.OperationToast })));

/**
 * Lives at the app root so a toast keeps counting while the user moves to another page; each
 * tracked operation has one toast (keyed by its id) and one event stream while it runs.
 */
export function OperationTrackerProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [tracked, setTracked] = useState<string[]>([]);

  const track = useCallback(
    (operation: Operation) => {
      const key = queryKeys.operation(operation.id);
      const known = queryClient.getQueryData<{ operation: Operation }>(key)?.operation;
      // A stream may already have moved it further than the copy the caller holds.
      if (!known || progressOf(operation) >= progressOf(known)) queryClient.setQueryData(key, { operation });
      setTracked((ids) => (ids.includes(operation.id) ? ids : [...ids, operation.id]));
    },
    [queryClient],
  );
  const untrack = useCallback((id: string) => setTracked((ids) => ids.filter((x) => x !== id)), []);
  const value = useMemo(() => ({ track }), [track]);

  return (
    <OperationTrackerContext value={value}>
      {children}
      <Suspense>
        {tracked.map((id) => (
          <OperationToast key={id} id={id} onTrack={track} onDone={untrack} />
        ))}
      </Suspense>
    </OperationTrackerContext>
  );
}

function progressOf(operation: Operation): number {
  return operation.status === "completed" ? Number.POSITIVE_INFINITY : operation.total - operation.counts.pending;
}
