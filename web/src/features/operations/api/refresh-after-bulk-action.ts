import type { QueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";

/**
 * After a bulk action was accepted: rows change through the pipelines' event streams, but counts
 * are aggregates, so they are refetched (one pipeline's, or every pipeline's of the project).
 */
export function refreshAfterBulkAction(queryClient: QueryClient, project: string, pipeline?: string | null): void {
  void queryClient.invalidateQueries({
    queryKey: pipeline ? queryKeys.historySummary(project, pipeline) : ["history", project],
  });
  void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) });
}
