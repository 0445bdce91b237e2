import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi, setCsrfToken } from "../../../lib/api-client.ts";

export function signOut(): Promise<void> {
  return callApi("signOut", {});
}

/** Signing out ends with a clean slate even when the server call fails (the session may already be gone). */
export function useSignOut({ onDone }: { onDone?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signOut,
    meta: { skipAuthRedirect: true },
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      onDone?.();
    },
  });
}
