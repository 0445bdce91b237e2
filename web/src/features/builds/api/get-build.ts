import type { BuildResponse } from "@common/bff-api.ts";
import { isActive } from "@common/statuses.ts";
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

/** Jobs and steps have no stream of their own: while the build runs they are polled this often. */
const ACTIVE_REFRESH_MS = 3000;

export function getBuild(id: number, signal?: AbortSignal): Promise<BuildResponse> {
  return callApi("build", { params: { id }, signal });
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
  return useQuery({ ...buildQueryOptions(id), enabled: Number.isSafeInteger(id) && id > 0 });
}

export function getBuildByNumber(
  project: string,
  pipeline: string,
  number: number,
  signal?: AbortSignal,
): Promise<BuildResponse> {
  return callApi("buildByNumber", { params: { project, pipeline, number }, signal });
}

/**
 * The id of the build a number names: asked once, and the answer seeds the build's own query
 * (which the page then keeps current by id).
 */
export function useBuildNumber(project: string, pipeline: string, number: number) {
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.buildNumber(project, pipeline, number),
    queryFn: async ({ signal }) => {
      const res = await getBuildByNumber(project, pipeline, number, signal);
      client.setQueryData(queryKeys.build(res.build.id), res);
      return res.build.id;
    },
    staleTime: Number.POSITIVE_INFINITY,
    enabled: Number.isSafeInteger(number) && number > 0,
  });
}
