import type { Webhook } from "@common/webhooks.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export type DeleteWebhookInput = { project: string; id: number };

export function deleteWebhook(input: DeleteWebhookInput): Promise<void> {
  return callApi("deleteWebhook", { params: { project: input.project, id: input.id } });
}

export function useDeleteWebhook({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteWebhook,
    onSuccess: (_, input) => {
      queryClient.setQueryData<{ items: Webhook[] }>(queryKeys.webhooks(input.project), (list) =>
        list === undefined ? list : { items: list.items.filter((h) => h.id !== input.id) },
      );
      queryClient.removeQueries({ queryKey: queryKeys.webhookDeliveries(input.project, input.id) });
      onSuccess?.();
    },
  });
}
