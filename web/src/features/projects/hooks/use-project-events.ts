import { topicKey } from "@common/page-stream.ts";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";
import type { StreamState } from "../../../lib/stream/stream-client.ts";
import { useStream } from "../../../lib/stream/use-stream.ts";
import { useThrottled } from "../../../lib/use-throttled.ts";

const REFRESH_MS = 1000;

/**
 * Keeps a project's pipeline list live (nothing when `project` is null). Its numbers are aggregates (running, queued, the last
 * build), so changes trigger a throttled refetch of that one small list rather than arithmetic on
 * counts that coalesced events could not keep exact.
 */
export function useProjectEvents(project: string | null): StreamState {
  const queryClient = useQueryClient();
  const refresh = useThrottled(() => {
    if (project !== null) void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) });
  }, REFRESH_MS);
  return useStream(project === null ? null : topicKey.project(project), { builds: refresh }, { onLive: refresh });
}
