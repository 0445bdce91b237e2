import type { HookDelivery } from "@common/contract/repositories.ts";
import type { Page } from "@common/dto.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

/** How many recent deliveries the project page shows per repository. */
export const RECENT_DELIVERIES = 10;

export function getHookDeliveries(
  project: string,
  repository: string,
  signal?: AbortSignal,
): Promise<Page<HookDelivery>> {
  return callApi("hookDeliveries", { params: { project, repository }, query: { limit: RECENT_DELIVERIES }, signal });
}

export const hookDeliveriesQueryOptions = (project: string, repository: string) =>
  queryOptions({
    queryKey: queryKeys.hookDeliveries(project, repository),
    queryFn: ({ signal }) => getHookDeliveries(project, repository, signal),
  });

/**
 * A repository's recent deliveries, newest first. Pushes arrive without the page doing anything:
 * it looks again every 2 s while one is still being processed, else every 10 s.
 */
export function useHookDeliveries(project: string, repository: string) {
  return useQuery({
    ...hookDeliveriesQueryOptions(project, repository),
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.status === "pending") ? 2000 : 10_000),
  });
}
