import type { CreateWebhookRequest, UpdateWebhookRequest, Webhook } from "@common/webhooks.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export type SaveWebhookInput =
  | { project: string; id?: undefined; request: CreateWebhookRequest }
  | { project: string; id: number; request: UpdateWebhookRequest };

/** Creates an endpoint (no `id`) or changes one. */
export function saveWebhook(input: SaveWebhookInput): Promise<Webhook> {
  const { project } = input;
  return input.id === undefined
    ? callApi("createWebhook", { params: { project }, body: input.request })
    : callApi("updateWebhook", { params: { project, id: input.id }, body: input.request });
}

export function useSaveWebhook({ onSuccess }: { onSuccess?: (hook: Webhook) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveWebhook,
    onSuccess: (hook, input) => {
      queryClient.setQueryData<{ items: Webhook[] }>(queryKeys.webhooks(input.project), (list) =>
        list === undefined
          ? list
          : {
              items: list.items.some((h) => h.id === hook.id)
                ? list.items.map((h) => (h.id === hook.id ? hook : h))
                : [...list.items, hook],
            },
      );
      onSuccess?.(hook);
    },
  });
}
