import type { RepositoryWithSecret } from "@common/contract/repositories.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { repositoriesQueryOptions } from "./get-repositories.ts";

export type RotateHookSecretInput = { project: string; repository: string };

export function rotateHookSecret({ project, repository }: RotateHookSecretInput): Promise<RepositoryWithSecret> {
  return callApi("rotateHookSecret", { params: { project, repository } });
}

/** A new hook secret: the answer is the only place it is ever shown; the list keeps no secret. */
export function useRotateHookSecret({ onSuccess }: { onSuccess?: (rotated: RepositoryWithSecret) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: rotateHookSecret,
    onSuccess: (rotated, input) => {
      const { hookSecret: _shownOnce, ...repository } = rotated;
      queryClient.setQueryData(repositoriesQueryOptions(input.project).queryKey, (list) =>
        list?.map((r) => (r.name === repository.name ? repository : r)),
      );
      onSuccess?.(rotated);
    },
  });
}
