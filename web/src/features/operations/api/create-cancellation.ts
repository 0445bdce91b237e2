import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { CancellationRequest, CancellationResponse } from "../../../../../common/bff-api.ts";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export type CreateCancellationInput = {
  project: string;
  /** Undefined (or null): project-wide. */
  pipeline?: string | null | undefined;
  request: CancellationRequest;
  /** One key per confirmed dialog: sending it twice returns the first operation instead of making a second. */
  idempotencyKey: string;
};

export function createCancellation(input: CreateCancellationInput): Promise<CancellationResponse> {
  const project = `/api/projects/${encodeURIComponent(input.project)}`;
  const path = input.pipeline
    ? `${project}/pipelines/${encodeURIComponent(input.pipeline)}/cancellations`
    : `${project}/cancellations`;
  return api<CancellationResponse>(path, {
    method: "POST",
    body: input.request,
    headers: { "Idempotency-Key": input.idempotencyKey },
  });
}

export function useCreateCancellation({ onSuccess }: { onSuccess?: (response: CancellationResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCancellation,
    onSuccess: (response, input) => {
      queryClient.setQueryData(queryKeys.operation(response.operation.id), { operation: response.operation });
      // Rows change through the pipeline's event stream; the counts are aggregates, so refetch them.
      void queryClient.invalidateQueries({
        queryKey: input.pipeline ? queryKeys.historySummary(input.project, input.pipeline) : ["history", input.project],
      });
      void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(input.project) });
      onSuccess?.(response);
    },
  });
}
