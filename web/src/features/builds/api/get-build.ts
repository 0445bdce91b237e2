import type { BuildResponse } from "@common/bff-api.ts";
import { isActive } from "@common/statuses.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

/** Jobs and steps have no stream of their own: while the build runs they are polled this often. */
const ACTIVE_REFRESH_MS = 3000;

export function getBuild(id: number, signal?: AbortSignal): Promise<BuildResponse> {
  return api<BuildResponse>(`/api/builds/${id}`, { signal });
}

export const buildQueryOptions = (id: number) =>
  queryOptions({
    queryKey: queryKeys.build(id),
    queryFn: ({ signal }) => getBuild(id, signal),
    refetchInterval: (query) => {
      const status = query.state.data?.build.status;
      return status && isActive(status) ? ACTIVE_REFRESH_MS : false;
    },
  });

export function useBuild(id: number) {
  return useQuery(buildQueryOptions(id));
}
