import type { Operation } from "@common/dto.ts";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { queryKeys } from "../../../lib/query-keys.ts";
import { OperationTrackerContext } from "../hooks/use-operation-tracker.ts";

// The toast's code (progress bar, failure list, retry) is not part of every page's first load; it is
// fetched once the page is up, so the first toast shows at once (a fast cancel's progress included).
const loadToast = () => import("./operation-toast.tsx");
const OperationToast = lazy(() => loadToast().then((m) => ({ default: m.OperationToast })));

type Tracked = { id: string; startedRunning: boolean };

/**
 * Lives at the app root so a toast keeps counting while the user moves to another page; each
 * tracked operation has one toast (keyed by its id) and one event stream while it runs.
 */
export function OperationTrackerProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [tracked, setTracked] = useState<Tracked[]>([]);
  useEffect(() => {
    void loadToast();
  }, []);

  const track = useCallback(
    (operation: Operation) => {
      const key = queryKeys.operation(operation.id);
      const known = queryClient.getQueryData<{ operation: Operation }>(key)?.operation;
      // A stream may already have moved it further than the copy the caller holds.
      if (!known || progressOf(operation) >= progressOf(known)) queryClient.setQueryData(key, { operation });
      const startedRunning = operation.status === "running";
      setTracked((list) =>
        list.some((x) => x.id === operation.id) ? list : [...list, { id: operation.id, startedRunning }],
      );
    },
    [queryClient],
  );
  const untrack = useCallback((id: string) => setTracked((list) => list.filter((x) => x.id !== id)), []);
  const value = useMemo(() => ({ track }), [track]);

  return (
    <OperationTrackerContext value={value}>
      {children}
      <Suspense>
        {tracked.map(({ id, startedRunning }) => (
          <OperationToast key={id} id={id} startedRunning={startedRunning} onTrack={track} onDone={untrack} />
        ))}
      </Suspense>
    </OperationTrackerContext>
  );
}

function progressOf(operation: Operation): number {
  return operation.status === "completed" ? Number.POSITIVE_INFINITY : operation.total - operation.counts.pending;
}
