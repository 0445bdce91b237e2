import { CheckCircleOutlined, CloseCircleOutlined, SyncOutlined } from "@ant-design/icons";
import type { OperationStatus } from "@common/constants.ts";
import type { OperationCounts } from "@common/dto.ts";
import { Tag } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

/** Running (spinning), completed, or completed with failures (red): more than colour tells them apart. */
export function OperationStatusTag({ status, counts }: { status: OperationStatus; counts: OperationCounts }) {
  const { t } = useI18n();
  if (status === "running") {
    return (
      <Tag color="processing" icon={<SyncOutlined spin aria-hidden />}>
        {t.operations.statuses.running}
      </Tag>
    );
  }
  const failed = counts.failed > 0;
  return (
    <Tag
      color={failed ? "error" : "success"}
      icon={failed ? <CloseCircleOutlined aria-hidden /> : <CheckCircleOutlined aria-hidden />}
    >
      {t.operations.statuses.completed}
    </Tag>
  );
}
