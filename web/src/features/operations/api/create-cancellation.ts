import type { CancellationRequest, CancellationResponse } from "@common/bff-api.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { refreshAfterBulkAction } from "./refresh-after-bulk-action.ts";

export type CreateCancellationInput = {
  project: string;
  /** Undefined (or null): project-wide. */
  pipeline?: string | null | undefined;
  request: CancellationRequest;
  /** One key per confirmed preview: sending it twice returns the first operation instead of making a second. */
  idempotencyKey: string;
};

export function createCancellation(input: CreateCancellationInput): Promise<CancellationResponse> {
  const { project, pipeline, request: body } = input;
  const headers = { "Idempotency-Key": input.idempotencyKey };
  return pipeline
    ? callApi("cancel", { params: { project, pipeline }, body, headers })
    : callApi("projectCancel", { params: { project }, body, headers });
}

export function useCreateCancellation({ onSuccess }: { onSuccess?: (response: CancellationResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCancellation,
    onSuccess: (response, input) => {
      queryClient.setQueryData(queryKeys.operation(response.operation.id), { operation: response.operation });
      refreshAfterBulkAction(queryClient, input.project, input.pipeline);
      onSuccess?.(response);
    },
  });
}
