import type { WebhookDeliveryDetail } from "@common/webhooks.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export function getDelivery(
  project: string,
  id: number,
  deliveryId: number,
  signal?: AbortSignal,
): Promise<WebhookDeliveryDetail> {
  return callApi("delivery", { params: { project, id, delivery: deliveryId }, signal });
}

export const deliveryQueryOptions = (project: string, id: number, deliveryId: number) =>
  queryOptions({
    queryKey: queryKeys.webhookDelivery(project, id, deliveryId),
    queryFn: ({ signal }) => getDelivery(project, id, deliveryId, signal),
  });

/** One delivery with its payload and every attempt. */
export function useDelivery(project: string, id: number, deliveryId: number) {
  return useQuery({
    ...deliveryQueryOptions(project, id, deliveryId),
    refetchInterval: (query) => (query.state.data?.status === "pending" ? 2000 : false),
  });
}
