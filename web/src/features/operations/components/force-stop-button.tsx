import type { OperationItem } from "@common/dto.ts";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Popconfirm, Typography } from "antd";
import { useState } from "react";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { queryKeys } from "../../../lib/query-keys.ts";
import { randomId } from "../../../lib/random-id.ts";
import { useCreateCancellation } from "../api/create-cancellation.ts";

type Props = { operationId: string; project: string; item: OperationItem };

/**
 * **Force stop now** for one stuck build, after a confirmation: the build's forced cancel (a batch
 * of one with `force: true`), which finalizes it at once and is audited as forced. The operation
 * and its items are read again, since the forced build settles this operation's item too.
 */
export function ForceStopButton({ operationId, project, item }: Props) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [idempotencyKey] = useState(randomId);
  const force = useCreateCancellation({
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.operation(operationId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.operationItems(operationId) });
    },
  });
  return (
    <>
      <Popconfirm
        title={t.operations.forceStopConfirm(item.buildNumber)}
        okText={t.operations.forceStop}
        okButtonProps={{ danger: true }}
        cancelText={t.operations.keepWaiting}
        // Resolves either way: a refusal is shown beside the button, not thrown into the popover.
        onConfirm={() =>
          force
            .mutateAsync({
              project,
              pipeline: item.pipeline,
              request: { buildIds: [item.buildId], force: true },
              idempotencyKey,
            })
            .catch(() => undefined)
        }
      >
        <Button
          danger
          size="small"
          loading={force.isPending}
          disabled={force.isSuccess}
          aria-label={t.operations.forceStopLabel(item.buildNumber)}
        >
          {t.operations.forceStop}
        </Button>
      </Popconfirm>
      {force.error && (
        <Typography.Text type="danger" role="alert">
          {t.operations.forceStopFailed(errorMessage(force.error, t))}
        </Typography.Text>
      )}
    </>
  );
}
