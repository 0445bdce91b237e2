import { StopOutlined, ThunderboltOutlined } from "@ant-design/icons";
import { MAX_REASON_LENGTH } from "@common/constants.ts";
import type { BuildDetail } from "@common/dto.ts";
import { isCancelableStatus } from "@common/statuses.ts";
import { Alert, Button, Flex, Input, Popconfirm, Typography } from "antd";
import { useState } from "react";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { randomId } from "../../../lib/random-id.ts";
import { useNow } from "../../../lib/use-now.ts";

type Props = {
  build: BuildDetail;
  canCancel: boolean;
  onCancel: (force: boolean, idempotencyKey: string, reason?: string) => Promise<unknown>;
};

/** "Cancel build" while it is queued or running; "Force cancel" once it has been stopping longer than its grace period. */
export function CancelBuildButton({ build, canCancel, onCancel }: Props) {
  if (isCancelableStatus(build.status)) {
    return <ConfirmedCancel force={false} canCancel={canCancel} onCancel={onCancel} />;
  }
  if (build.status === "CANCELING") {
    return <ForceWhenOverdue build={build} canCancel={canCancel} onCancel={onCancel} />;
  }
  return null;
}

function ForceWhenOverdue({ build, canCancel, onCancel }: Props) {
  const { t } = useI18n();
  const now = useNow();
  // Without the time the cancel began, the grace period cannot be judged: offer force at once.
  const since = build.cancel ? Date.parse(build.cancel.at) : Number.NEGATIVE_INFINITY;
  if (now - since < build.cancelGraceSeconds * 1000) return null;
  return (
    <>
      <Alert type="warning" showIcon title={t.build.forceHint(build.cancelGraceSeconds)} />
      <ConfirmedCancel force canCancel={canCancel} onCancel={onCancel} />
    </>
  );
}

function ConfirmedCancel({ force, canCancel, onCancel }: Omit<Props, "build"> & { force: boolean }) {
  const { t } = useI18n();
  const notification = useNotifications();
  const [key, setKey] = useState(randomId);
  const [reason, setReason] = useState("");
  const label = force ? t.build.forceCancel : t.build.cancel;
  const button = (
    <Button
      danger
      type="primary"
      icon={force ? <ThunderboltOutlined aria-hidden /> : <StopOutlined aria-hidden />}
      disabled={!canCancel}
    >
      {label}
    </Button>
  );
  if (!canCancel) {
    return (
      <Flex gap={8} align="center" wrap>
        <WhyDisabled why={t.history.noPermission}>{button}</WhyDisabled>
        <Typography.Text type="secondary">{t.history.noPermission}</Typography.Text>
      </Flex>
    );
  }
  return (
    <Popconfirm
      title={force ? t.build.forceConfirmTitle : t.build.cancelConfirmTitle}
      description={
        <Flex vertical gap={8} style={{ maxWidth: 320 }}>
          <span>{force ? t.build.forceConfirm : t.build.cancelConfirm}</span>
          <Input
            aria-label={t.build.cancelReason}
            placeholder={t.build.cancelReason}
            value={reason}
            maxLength={MAX_REASON_LENGTH}
            onChange={(event) => setReason(event.target.value)}
          />
        </Flex>
      }
      okText={label}
      cancelText={t.dialog.keep}
      okButtonProps={{ danger: true }}
      onOpenChange={(open) => {
        if (!open) return;
        setKey(randomId());
        setReason("");
      }}
      onConfirm={async () => {
        try {
          const why = reason.trim();
          await (why ? onCancel(force, key, why) : onCancel(force, key));
        } catch (error) {
          notification.error({ title: t.dialog.failed(errorMessage(error, t)) });
        }
      }}
    >
      {button}
    </Popconfirm>
  );
}
