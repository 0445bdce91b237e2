import type { BuildChange, HistoryResponse, OperationResponse } from "@common/bff-api.ts";
import { topicKey } from "@common/page-stream.ts";
import { type Query, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { type HistoryFilters, queryKeys } from "../../../lib/query-keys.ts";
import type { StreamState } from "../../../lib/stream/stream-client.ts";
import { useStream } from "../../../lib/stream/use-stream.ts";
import { useThrottled } from "../../../lib/use-throttled.ts";
import { getHistory } from "../api/get-history.ts";
import { applyBuildChanges, type HistoryPages, mergeNewestPage } from "../utils/apply-build-changes.ts";
import { rememberChanges, withChangesSince } from "../utils/streamed-changes.ts";

/** Counts are aggregates the server computes: refreshed at most this often however busy the stream. */
const SUMMARY_REFRESH_MS = 1000;
const FILL_MS = 2000;

/**
 * Follows the pipeline's topic of the page's stream into the cache: `builds` messages patch the rows of every
 * cached history view, counts are refreshed (throttled), and each time the topic goes live (just
 * subscribed, or back after a drop) the views are read again once: the stream does not carry what
 * happened before that moment.
 */
export function useHistoryEvents(project: string, pipeline: string): StreamState {
  const queryClient = useQueryClient();
  const refreshCounts = useThrottled(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.historySummary(project, pipeline) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) });
  }, SUMMARY_REFRESH_MS);
  const fill = useThrottled(() => void fillNewestPages(queryClient, project, pipeline), FILL_MS);

  return useStream(
    topicKey.pipeline(project, pipeline),
    {
      builds: ({ changes }) => {
        rememberChanges(queryClient, project, pipeline, changes);
        if (applyToCachedViews(queryClient, project, pipeline, changes)) fill();
        refreshCounts();
      },
      operation: ({ operation }) => {
        // Only operations someone looks at (a toast, the operation page) are in the cache.
        queryClient.setQueryData<OperationResponse>(queryKeys.operation(operation.id), (old) =>
          old ? { operation } : undefined,
        );
      },
    },
    { onLive: () => void queryClient.invalidateQueries({ queryKey: queryKeys.history(project, pipeline) }) },
  );
}

function rowQueries(queryClient: QueryClient, project: string, pipeline: string): Query[] {
  return queryClient.getQueryCache().findAll({ queryKey: queryKeys.historyRows(project, pipeline) });
}

/** Returns whether a view got partial rows that the newest page should complete. */
export function applyToCachedViews(
  queryClient: QueryClient,
  project: string,
  pipeline: string,
  changes: readonly BuildChange[],
): boolean {
  let incomplete = false;
  for (const query of rowQueries(queryClient, project, pipeline)) {
    const filters = query.queryKey[4] as HistoryFilters;
    queryClient.setQueryData<HistoryPages>(query.queryKey, (old) => {
      if (!old) return old;
      const result = applyBuildChanges(old, changes, filters);
      incomplete ||= result.incomplete;
      return result.data;
    });
  }
  return incomplete;
}

/** Brings the newest page of each view on screen into its cache; views not on screen refetch when shown again. */
async function fillNewestPages(queryClient: QueryClient, project: string, pipeline: string): Promise<void> {
  for (const query of rowQueries(queryClient, project, pipeline)) {
    if (query.getObserversCount() === 0) {
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: "none" });
      continue;
    }
    const filters = query.queryKey[4] as HistoryFilters;
    let fetched: HistoryResponse;
    const asked = Date.now();
    try {
      fetched = await getHistory({ project, pipeline, filters });
    } catch {
      // The next change or reconnect tries again; the partial rows stay meanwhile.
      continue;
    }
    fetched = withChangesSince(queryClient, { project, pipeline, filters, first: true }, fetched, asked);
    queryClient.setQueryData<HistoryPages>(query.queryKey, (old) => (old ? mergeNewestPage(old, fetched) : old));
  }
}
