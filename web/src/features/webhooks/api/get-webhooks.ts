import type { Webhook } from "@common/webhooks.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export function getWebhooks(project: string, signal?: AbortSignal): Promise<{ items: Webhook[] }> {
  return callApi("webhooks", { params: { project }, signal });
}

export const webhooksQueryOptions = (project: string) =>
  queryOptions({ queryKey: queryKeys.webhooks(project), queryFn: ({ signal }) => getWebhooks(project, signal) });

/**
 * Deliveries (and the engine disabling a failing endpoint) change the list on their own: it looks
 * again every 2 s while a delivery is pending, else every 10 s.
 */
export function useWebhooks(project: string) {
  return useQuery({
    ...webhooksQueryOptions(project),
    refetchInterval: (query) =>
      query.state.data?.items.some((h) => h.lastDelivery?.status === "pending") ? 2000 : 10_000,
  });
}
