import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError, isUnauthenticated } from "./api-client.ts";

declare module "@tanstack/react-query" {
  interface Register {
    /** `skipAuthRedirect`: a 401 here is an answer (wrong password), not an ended session. */
    mutationMeta: { skipAuthRedirect?: boolean };
    queryMeta: { skipAuthRedirect?: boolean };
  }
}

/** A 401 from any query or mutation means the session ended: `onUnauthenticated` sends the user to sign in. */
export function createQueryClient({ onUnauthenticated }: { onUnauthenticated: () => void }): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isUnauthenticated(error) && !query.meta?.skipAuthRedirect) onUnauthenticated();
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (isUnauthenticated(error) && !mutation.meta?.skipAuthRedirect) onUnauthenticated();
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // Client errors (not found, forbidden, signed out) will not get better by asking again.
        retry: (failures, error) => failures < 2 && !(isApiError(error) && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
}
