import type { OperationResponse, RerunRequest, RerunResponse } from "@common/bff-api.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { refreshAfterBulkAction } from "./refresh-after-bulk-action.ts";

export type CreateRerunInput = {
  project: string;
  /** Undefined (or null): project-wide. */
  pipeline?: string | null | undefined;
  request: RerunRequest;
  /** One key per confirmed preview, as with a cancel. */
  idempotencyKey: string;
};

/** New builds with the same branch, commit and parameters; the answer's operation is already complete. */
export function createRerun(input: CreateRerunInput): Promise<RerunResponse> {
  const { project, pipeline, request: body } = input;
  const headers = { "Idempotency-Key": input.idempotencyKey };
  return pipeline
    ? callApi("rerun", { params: { project, pipeline }, body, headers })
    : callApi("projectRerun", { params: { project }, body, headers });
}

export function useCreateRerun({ onSuccess }: { onSuccess?: (response: RerunResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createRerun,
    onSuccess: (response, input) => {
      const made = response.operation;
      queryClient.setQueryData(queryKeys.operation(made.id), { operation: made });
      // The operation re-run now names its re-run: its page offers the link, not the button.
      if (made.rerunOf !== null) {
        queryClient.setQueryData<OperationResponse>(queryKeys.operation(made.rerunOf), (old) =>
          old ? { operation: { ...old.operation, rerunBy: made.id } } : old,
        );
      }
      refreshAfterBulkAction(queryClient, input.project, input.pipeline);
      onSuccess?.(response);
    },
    onError: (_error, input) => {
      // Refused as re-run already (elsewhere, or in another tab): show what that operation is now.
      if ("fromOperation" in input.request) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.operation(input.request.fromOperation), exact: true });
      }
    },
  });
}
