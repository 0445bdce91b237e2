import type { PipelinesResponse } from "@common/bff-api.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export function getPipelines(project: string, signal?: AbortSignal): Promise<PipelinesResponse> {
  return callApi("pipelines", { params: { project }, signal });
}

export const pipelinesQueryOptions = (project: string) =>
  queryOptions({ queryKey: queryKeys.pipelineList(project), queryFn: ({ signal }) => getPipelines(project, signal) });

/** `refreshMs` polls instead of streaming, where a page lists many projects and one stream each would be too many. */
export function usePipelines(project: string, { refreshMs }: { refreshMs?: number } = {}) {
  return useQuery({ ...pipelinesQueryOptions(project), refetchInterval: refreshMs ?? false });
}
