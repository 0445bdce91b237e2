import type { Repository } from "@common/contract/repositories.ts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";

export async function getRepositories(project: string, signal?: AbortSignal): Promise<Repository[]> {
  return (await callApi("repositories", { params: { project }, signal })).items;
}

export const repositoriesQueryOptions = (project: string) =>
  queryOptions({
    queryKey: queryKeys.repositories(project),
    queryFn: ({ signal }) => getRepositories(project, signal),
  });

/** The project's repositories (maintainers only: the engine refuses anyone else). */
export function useRepositories(project: string) {
  return useQuery(repositoriesQueryOptions(project));
}
