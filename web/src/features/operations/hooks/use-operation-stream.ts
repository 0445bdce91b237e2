import type { OperationStreamData } from "@common/bff-api.ts";
import type { Operation } from "@common/dto.ts";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../lib/query-keys.ts";
import { useEventStream } from "../../../lib/use-event-stream.ts";

type OperationEvents = { progress: OperationStreamData; completed: OperationStreamData };

/**
 * Follows a running operation's event stream into the react-query cache (`operation` key), which
 * the toast and the operation page read. On completion it refreshes what the operation changed.
 */
export function useOperationStream(operation: Operation | undefined): void {
  const queryClient = useQueryClient();
  const running = operation?.status === "running";
  const id = operation?.id;
  const url = running && id ? `/api/operations/${encodeURIComponent(id)}/events` : null;

  const store = (data: OperationStreamData) => queryClient.setQueryData(queryKeys.operation(data.operation.id), data);

  useEventStream<OperationEvents>(
    url,
    {
      progress: store,
      completed: (data) => {
        store(data);
        const { id: opId, project, pipeline } = data.operation;
        // One catch-up of the pipeline's rows and counts, in case a row's event was missed.
        void queryClient.invalidateQueries({
          queryKey: pipeline ? queryKeys.history(project, pipeline) : ["history", project],
        });
        void queryClient.invalidateQueries({ queryKey: queryKeys.pipelineList(project) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.operationItems(opId) });
      },
    },
    {
      onReconnect: () => {
        if (id) void queryClient.invalidateQueries({ queryKey: queryKeys.operation(id), exact: true });
      },
    },
  );
}
