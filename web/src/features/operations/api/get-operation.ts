import type { OperationResponse } from "@common/bff-api.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export function getOperation(id: string, signal?: AbortSignal): Promise<OperationResponse> {
  return callApi("operation", { params: { id }, signal });
}

export const operationQueryOptions = (id: string) =>
  queryOptions({ queryKey: queryKeys.operation(id), queryFn: ({ signal }) => getOperation(id, signal) });

export function useOperation(id: string) {
  return useQuery(operationQueryOptions(id));
}
