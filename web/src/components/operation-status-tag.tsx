import { CheckCircleOutlined, CloseCircleOutlined, ExclamationCircleOutlined, SyncOutlined } from "@ant-design/icons";
import type { OperationKind, OperationStatus } from "@common/constants.ts";
import type { OperationCounts } from "@common/dto.ts";
import { Tag } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { kindView } from "../lib/operation-kinds.ts";

/**
 * Running (spinning), completed, completed with failures (red), or a cancel completed without
 * canceling anything (amber, not a green success): more than colour tells them apart.
 */
export function OperationStatusTag({
  kind,
  status,
  counts,
}: {
  kind: OperationKind;
  status: OperationStatus;
  counts: OperationCounts;
}) {
  const { t } = useI18n();
  if (status === "running") {
    return (
      <Tag color="processing" icon={<SyncOutlined spin aria-hidden />}>
        {t.operations.statuses.running}
      </Tag>
    );
  }
  const failed = counts.failed > 0;
  if (!failed && kindView(kind).didNothing(counts)) {
    return (
      <Tag color="warning" icon={<ExclamationCircleOutlined aria-hidden />}>
        {t.operations.statuses.completed}
      </Tag>
    );
  }
  return (
    <Tag
      color={failed ? "error" : "success"}
      icon={failed ? <CloseCircleOutlined aria-hidden /> : <CheckCircleOutlined aria-hidden />}
    >
      {t.operations.statuses.completed}
    </Tag>
  );
}
