import type { Page } from "@common/dto.ts";
import type { WebhookDelivery } from "@common/webhooks.ts";
import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

const PAGE = 20;

export function getDeliveries(
  project: string,
  id: number,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<Page<WebhookDelivery>> {
  return callApi("deliveries", { params: { project, id }, query: { cursor, limit: PAGE }, signal });
}

export const deliveriesQueryOptions = (project: string, id: number) =>
  infiniteQueryOptions({
    queryKey: queryKeys.webhookDeliveries(project, id),
    queryFn: ({ pageParam, signal }) => getDeliveries(project, id, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

/**
 * The delivery log, newest first. Deliveries appear and change without the page doing anything
 * (events, retries): it looks again every 2 s while one is pending, else every 10 s.
 */
export function useDeliveries(project: string, id: number) {
  return useInfiniteQuery({
    ...deliveriesQueryOptions(project, id),
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((d) => d.status === "pending")) ? 2000 : 10_000,
  });
}
