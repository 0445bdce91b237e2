import type { OperationsResponse } from "@common/bff-api.ts";
import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { type OperationFilters, queryKeys } from "../../../lib/query-keys.ts";

const PAGE_SIZE = 50;

export function getOperations(
  project: string,
  filters: OperationFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<OperationsResponse> {
  return callApi("operations", {
    params: { project },
    query: {
      source: filters.source,
      requestedBy: filters.requestedBy,
      status: filters.status,
      cursor,
      limit: PAGE_SIZE,
    },
    signal,
  });
}

/** A project's bulk operations, newest first, one page after another. */
export const operationsQueryOptions = (project: string, filters: OperationFilters) =>
  infiniteQueryOptions({
    queryKey: queryKeys.operations(project, filters),
    queryFn: ({ pageParam, signal }) => getOperations(project, filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

export function useOperations(project: string, filters: OperationFilters) {
  return useInfiniteQuery(operationsQueryOptions(project, filters));
}
