import type { OperationsResponse } from "@common/bff-api.ts";
import type { Operation } from "@common/dto.ts";
import { topicKey } from "@common/page-stream.ts";
import { type InfiniteData, useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";
import type { StreamState } from "../../../lib/stream/stream-client.ts";
import { useStream } from "../../../lib/stream/use-stream.ts";
import { useThrottled } from "../../../lib/use-throttled.ts";

type OperationPages = InfiniteData<OperationsResponse, string | null>;

/** New operations are fetched (they may not match a view's filters); this often at most. */
const REFETCH_MS = 1000;

/**
 * Keeps the operations centre live: an operation we already list is replaced in place (its
 * counts, its status); one we have not seen means the lists refetch, since only the server
 * knows where it belongs under each view's filters.
 */
export function useOperationsEvents(project: string): StreamState {
  const queryClient = useQueryClient();
  const refetchLists = useThrottled(
    () => void queryClient.invalidateQueries({ queryKey: queryKeys.operations(project) }),
    REFETCH_MS,
  );
  return useStream(
    topicKey.operations(project),
    {
      operation: ({ operation }) => {
        queryClient.setQueryData(queryKeys.operation(operation.id), (old: unknown) => (old ? { operation } : old));
        let listed = false;
        queryClient.setQueriesData<OperationPages>({ queryKey: queryKeys.operations(project) }, (old) => {
          if (!old) return old;
          const next = replaceOperation(old, operation);
          listed ||= next !== old;
          return next;
        });
        if (!listed) refetchLists();
      },
    },
    { onLive: refetchLists },
  );
}

/** The same pages with `operation` replacing its older copy; the same object when it is not listed. */
export function replaceOperation(data: OperationPages, operation: Operation): OperationPages {
  let found = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((op) => op.id === operation.id);
    if (index < 0) return page;
    found = true;
    const items = [...page.items];
    items[index] = operation;
    return { ...page, items };
  });
  return found ? { ...data, pages } : data;
}
