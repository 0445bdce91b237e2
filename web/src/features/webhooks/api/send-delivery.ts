import type { WebhookDelivery } from "@common/webhooks.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

/** A test `ping`, or a redelivery of an earlier delivery's payload. */
export type SendDeliveryInput = { project: string; id: number; redeliver?: number };

export function sendDelivery(input: SendDeliveryInput): Promise<WebhookDelivery> {
  const { project, id } = input;
  return input.redeliver === undefined
    ? callApi("pingWebhook", { params: { project, id } })
    : callApi("redeliver", { params: { project, id, delivery: input.redeliver } });
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
