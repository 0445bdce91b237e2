import type { RerunRequest, RerunResponse } from "@common/bff-api.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { bulkPath } from "../utils/bulk-path.ts";
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
  return api<RerunResponse>(bulkPath(input.project, input.pipeline, "reruns"), {
    method: "POST",
    body: input.request,
    headers: { "Idempotency-Key": input.idempotencyKey },
  });
}

export function useCreateRerun({ onSuccess }: { onSuccess?: (response: RerunResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createRerun,
    onSuccess: (response, input) => {
      queryClient.setQueryData(queryKeys.operation(response.operation.id), { operation: response.operation });
      refreshAfterBulkAction(queryClient, input.project, input.pipeline);
      onSuccess?.(response);
    },
  });
}
