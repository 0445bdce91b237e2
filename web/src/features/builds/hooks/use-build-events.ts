import { topicKey } from "@common/page-stream.ts";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";
import type { StreamState } from "../../../lib/stream/stream-client.ts";
import { useStream } from "../../../lib/stream/use-stream.ts";
import { useThrottled } from "../../../lib/use-throttled.ts";

const REFRESH_MS = 500;

/**
 * The build's status changes arrive on its pipeline's stream; each one refreshes the build (with
 * its jobs and steps, which the stream does not carry), throttled. Null `pipeline` waits for it.
 */
export function useBuildEvents(id: number, project: string | undefined, pipeline: string | undefined): StreamState {
  const queryClient = useQueryClient();
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey: queryKeys.build(id) }), REFRESH_MS);
  return useStream(
    project && pipeline ? topicKey.pipeline(project, pipeline) : null,
    {
      builds: ({ changes }) => {
        if (changes.some((change) => change.id === id)) refresh();
      },
    },
    { onLive: refresh },
  );
}
