import type { MeResponse } from "@common/bff-api.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi, setCsrfToken } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export async function getMe(signal?: AbortSignal): Promise<MeResponse> {
  const me = await callApi("me", { signal });
  setCsrfToken(me.csrfToken);
  return me;
}

export const meQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.me(),
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 60_000,
    // The session guard turns a 401 here into the sign-in page itself, keeping where the user was going.
    meta: { skipAuthRedirect: true },
  });

/** `refreshMs` reads it again that often, where a page lists the user's projects. */
export function useMe({ refreshMs }: { refreshMs?: number } = {}) {
  return useQuery({ ...meQueryOptions(), refetchInterval: refreshMs ?? false });
}
