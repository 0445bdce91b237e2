import type { WebhookDelivery } from "@common/webhooks.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

/** A test `ping`, or a redelivery of an earlier delivery's payload. */
export type SendDeliveryInput = { project: string; id: number; redeliver?: number };

export function sendDelivery(input: SendDeliveryInput): Promise<WebhookDelivery> {
  const base = `/api/projects/${encodeURIComponent(input.project)}/webhooks/${input.id}`;
  const path = input.redeliver === undefined ? `${base}/pings` : `${base}/deliveries/${input.redeliver}/redeliver`;
  return api<WebhookDelivery>(path, { method: "POST" });
}

export function useSendDelivery({ onSuccess }: { onSuccess?: (delivery: WebhookDelivery) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: sendDelivery,
    onSuccess: (delivery, input) => {
      // The log and the list's "last delivery" both change: refetch them (the log is paged).
      void queryClient.invalidateQueries({ queryKey: queryKeys.webhookDeliveries(input.project, input.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks(input.project), exact: true });
      onSuccess?.(delivery);
    },
  });
}
