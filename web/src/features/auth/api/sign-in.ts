import type { SessionResponse, SignInRequest } from "@common/bff-api.ts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { callApi, setCsrfToken } from "../../../lib/api-client.ts";

export function signIn(request: SignInRequest): Promise<SessionResponse> {
  return callApi("signIn", { body: request });
}

export function useSignIn({ onSuccess }: { onSuccess?: (session: SessionResponse) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    // A wrong password answers 401; that is a message for the form, not a reason to redirect.
    meta: { skipAuthRedirect: true },
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      // Nothing cached for a previous user may show for this one.
      queryClient.clear();
      onSuccess?.(session);
    },
  });
}
