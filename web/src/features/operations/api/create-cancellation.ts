import type { CancellationRequest, CancellationResponse } from "@common/bff-api.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { bulkPath } from "../utils/bulk-path.ts";
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
  return api<CancellationResponse>(bulkPath(input.project, input.pipeline, "cancellations"), {
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
      refreshAfterBulkAction(queryClient, input.project, input.pipeline);
      onSuccess?.(response);
    },
  });
}
