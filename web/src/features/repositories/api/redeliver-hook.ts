import type { HookDelivery } from "@common/contract/repositories.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export type RedeliverHookInput = { project: string; repository: string; delivery: number };

export function redeliverHook({ project, repository, delivery }: RedeliverHookInput): Promise<HookDelivery> {
  return callApi("redeliverHook", { params: { project, repository, delivery: String(delivery) } });
}

/** Processes a delivery again as a new one; the log is read again to show it. */
export function useRedeliverHook({ onSuccess }: { onSuccess?: (delivery: HookDelivery) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: redeliverHook,
    onSuccess: (delivery, input) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.hookDeliveries(input.project, input.repository) });
      onSuccess?.(delivery);
    },
  });
}
