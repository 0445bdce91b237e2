import type { OperationItemsResponse } from "@common/bff-api.ts";
import type { ItemOutcome } from "@common/constants.ts";
import type { OperationItem } from "@common/dto.ts";
import { infiniteQueryOptions, queryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

const PAGE_SIZE = 100;
/** The most explicit ids one cancellation request may carry (`CancellationRequest`). */
const MAX_ITEMS = 10_000;

export function getOperationItems(
  id: string,
  params: { outcome?: ItemOutcome; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<OperationItemsResponse> {
  return callApi("operationItems", {
    params: { id },
    query: { outcome: params.outcome, cursor: params.cursor, limit: params.limit ?? PAGE_SIZE },
    signal,
  });
}

/** One page after another, for the operation page's table. */
export const operationItemsQueryOptions = (id: string, outcome: ItemOutcome | undefined) =>
  infiniteQueryOptions({
    queryKey: queryKeys.operationItems(id, outcome ?? "all"),
    queryFn: ({ pageParam, signal }) => getOperationItems(id, { outcome, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

const RUNNING_REFRESH_MS = 2000;

export function useOperationItems(id: string, outcome: ItemOutcome | undefined, running: boolean) {
  return useInfiniteQuery({
    ...operationItemsQueryOptions(id, outcome),
    refetchInterval: running ? RUNNING_REFRESH_MS : false,
  });
}

/** Every failed item (their reasons for the toast, their ids for the retry). */
export const failedItemsQueryOptions = (id: string) =>
  queryOptions({
    queryKey: queryKeys.operationItems(id, "failed-all"),
    queryFn: async ({ signal }) => {
      const items: OperationItem[] = [];
      let cursor: string | null = null;
      do {
        const page: OperationItemsResponse = await getOperationItems(id, { outcome: "failed", cursor }, signal);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && items.length < MAX_ITEMS);
      return items;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
