import type { BuildsStreamData } from "@common/bff-api.ts";
import { useQueryClient } from "@tanstack/react-query";
import type { StreamState } from "../../../lib/event-stream.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { useEventStream, useThrottled } from "../../../lib/use-event-stream.ts";

const REFRESH_MS = 1000;

/**
 * Keeps a project's pipeline list live. Its numbers are aggregates (running, queued, the last
 * build), so changes trigger a throttled refetch of that one small list rather than arithmetic on
 * counts that coalesced events could not keep exact.
 */
export function useProjectEvents(project: string): StreamState {
  const queryClient = useQueryClient();
  const refresh = useThrottled(
    () => void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) }),
    REFRESH_MS,
  );
  return useEventStream<{ builds: BuildsStreamData }>(
    `/api/projects/${encodeURIComponent(project)}/events`,
    { builds: refresh },
    { onReconnect: refresh },
  );
}
