import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  FieldTimeOutlined,
  LoadingOutlined,
  MinusCircleOutlined,
  StopOutlined,
  SyncOutlined,
} from "@ant-design/icons";
import type { BuildStatus, JobStatus, StepStatus } from "@common/statuses.ts";
import { Tag } from "antd";
import type { ReactNode } from "react";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

export type AnyStatus = BuildStatus | JobStatus | StepStatus;

/**
 * Colour and icon per status, so statuses differ by more than colour; the icons are decorative
 * (hidden from screen readers) because the text names the status.
 */
const LOOK: Record<AnyStatus, { color: string; icon: ReactNode }> = {
  QUEUED: { color: "default", icon: <ClockCircleOutlined aria-hidden /> },
  PENDING: { color: "default", icon: <ClockCircleOutlined aria-hidden /> },
  RUNNING: { color: "processing", icon: <SyncOutlined spin aria-hidden /> },
  CANCELING: { color: "warning", icon: <LoadingOutlined aria-hidden /> },
  SUCCEEDED: { color: "success", icon: <CheckCircleOutlined aria-hidden /> },
  FAILED: { color: "error", icon: <CloseCircleOutlined aria-hidden /> },
  CANCELED: { color: "default", icon: <StopOutlined aria-hidden /> },
  TIMED_OUT: { color: "magenta", icon: <FieldTimeOutlined aria-hidden /> },
  SKIPPED: { color: "default", icon: <MinusCircleOutlined aria-hidden /> },
};

/** `count` turns it into a tally ("Running 3"). */
export function StatusTag({ status, count }: { status: AnyStatus; count?: number }) {
  const { t } = useI18n();
  const look = LOOK[status];
  return (
    <Tag color={look.color} icon={look.icon}>
      {t.status[status]}
      {count !== undefined && ` ${count}`}
    </Tag>
  );
}
