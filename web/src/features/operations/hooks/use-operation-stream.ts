import type { OperationResponse } from "@common/bff-api.ts";
import type { Operation } from "@common/dto.ts";
import { topicKey } from "@common/page-stream.ts";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";
import { useStream } from "../../../lib/stream/use-stream.ts";

/**
 * Follows a running operation's topic of the page's stream into the react-query cache
 * (`operation` key), which the toast and the operation page read. On completion it refreshes what
 * the operation changed, and the topic is left.
 */
export function useOperationStream(operation: Operation | undefined): void {
  const queryClient = useQueryClient();
  const id = operation?.id;
  const topic = operation?.status === "running" && id ? topicKey.operation(id) : null;

  useStream(
    topic,
    {
      operation: ({ operation: next }) => {
        queryClient.setQueryData<OperationResponse>(queryKeys.operation(next.id), { operation: next });
        if (next.status !== "completed") return;
        const { id: opId, project, pipeline } = next;
        // One catch-up of the pipeline's rows and counts, in case a row's event was missed.
        void queryClient.invalidateQueries({
          queryKey: pipeline ? queryKeys.history(project, pipeline) : ["history", project],
        });
        void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.operationItems(opId) });
      },
    },
    {
      onLive: () => {
        if (id) void queryClient.invalidateQueries({ queryKey: queryKeys.operation(id), exact: true });
      },
    },
  );
}
