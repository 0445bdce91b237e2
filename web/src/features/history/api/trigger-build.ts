import type { TriggerResponse } from "@common/bff-api.ts";
import type { TriggerRequest } from "@common/dto.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export type TriggerBuildInput = { project: string; pipeline: string; request: Partial<TriggerRequest> };

/** Run build: a new build of the pipeline (its row arrives through the pipeline's stream). */
export function triggerBuild(input: TriggerBuildInput): Promise<TriggerResponse> {
  return callApi("triggerBuild", {
    params: { project: input.project, pipeline: input.pipeline },
    body: input.request,
  });
}

export function useTriggerBuild({ onSuccess }: { onSuccess?: (response: TriggerResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: triggerBuild,
    onSuccess: (response, input) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.historySummary(input.project, input.pipeline) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(input.project) });
      onSuccess?.(response);
    },
  });
}
