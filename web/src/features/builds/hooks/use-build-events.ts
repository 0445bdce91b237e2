import type { BuildsStreamData } from "@common/bff-api.ts";
import { useQueryClient } from "@tanstack/react-query";
import type { StreamState } from "../../../lib/event-stream.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { useEventStream, useThrottled } from "../../../lib/use-event-stream.ts";

const REFRESH_MS = 500;

/**
 * The build's status changes arrive on its pipeline's stream; each one refreshes the build (with
 * its jobs and steps, which the stream does not carry), throttled. Null `pipeline` waits for it.
 */
export function useBuildEvents(id: number, project: string | undefined, pipeline: string | undefined): StreamState {
  const queryClient = useQueryClient();
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey: queryKeys.build(id) }), REFRESH_MS);
  const url =
    project && pipeline
      ? `/api/projects/${encodeURIComponent(project)}/pipelines/${encodeURIComponent(pipeline)}/events`
      : null;
  return useEventStream<{ builds: BuildsStreamData }>(
    url,
    {
      builds: ({ changes }) => {
        if (changes.some((change) => change.id === id)) refresh();
      },
    },
    { onReconnect: refresh },
  );
}
