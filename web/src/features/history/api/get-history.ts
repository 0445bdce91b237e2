import type { HistoryResponse } from "@common/bff-api.ts";
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { byTrigger, type HistoryFilters, queryKeys } from "../../../lib/query-keys.ts";
import { withChangesSince } from "../utils/streamed-changes.ts";

export const HISTORY_PAGE_SIZE = 50;

type HistoryParams = {
  project: string;
  pipeline: string;
  filters: HistoryFilters;
  cursor?: string | null;
  limit?: number;
};

export function getHistory(params: HistoryParams, signal?: AbortSignal): Promise<HistoryResponse> {
  const { project, pipeline, filters } = params;
  return callApi("history", {
    params: { project, pipeline },
    query: {
      status: filters.status,
      branch: filters.branch,
      trigger: filters.trigger,
      pullRequest: filters.pullRequest === undefined ? undefined : String(filters.pullRequest),
      cursor: params.cursor,
      limit: params.limit ?? HISTORY_PAGE_SIZE,
    },
    signal,
  });
}

/** The rows, newest first, one page after another. The first page also seeds the summary below. */
export const historyQueryOptions = (project: string, pipeline: string, filters: HistoryFilters) =>
  infiniteQueryOptions({
    queryKey: queryKeys.historyRows(project, pipeline, filters),
    queryFn: async ({ pageParam, signal, client }) => {
      const asked = Date.now();
      const fetched = await getHistory({ project, pipeline, filters, cursor: pageParam }, signal);
      const page = withChangesSince(client, { project, pipeline, filters, first: pageParam === null }, fetched, asked);
      const summaryKey = queryKeys.historySummary(project, pipeline, filters.branch);
      // Only over an older summary: one refreshed while this page was on its way is the newer
      // (a stale "Canceling 1" would otherwise stay until the next change).
      const current = client.getQueryState(summaryKey);
      if (
        pageParam === null &&
        filters.status.length === 0 &&
        !byTrigger(filters) &&
        !(current && current.dataUpdatedAt >= asked)
      ) {
        client.setQueryData(summaryKey, page);
      }
      return page;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.builds.nextCursor,
  });

export function useHistory(project: string, pipeline: string, filters: HistoryFilters) {
  return useInfiniteQuery(historyQueryOptions(project, pipeline, filters));
}

/**
 * The pipeline, counts, permissions and running operations, kept apart from the rows so that live
 * counts refresh with one small request instead of refetching every loaded page. Counts follow the
 * branch filter (the server computes them per branch); the status filter only narrows rows.
 */
export const historySummaryQueryOptions = (project: string, pipeline: string, branch: string) =>
  queryOptions({
    queryKey: queryKeys.historySummary(project, pipeline, branch),
    queryFn: ({ signal }) => getHistory({ project, pipeline, filters: { status: [], branch }, limit: 1 }, signal),
  });

export function useHistorySummary(project: string, pipeline: string, branch: string, enabled = true) {
  return useQuery({ ...historySummaryQueryOptions(project, pipeline, branch), enabled });
}
