import { StopOutlined } from "@ant-design/icons";
import { Button, Flex, Typography } from "antd";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

type Props = {
  selectedCount: number;
  /** Active builds in scope across all pages: the "Cancel all running (M)" number. */
  activeCount: number;
  canCancel: boolean;
  onCancelSelected: () => void;
  onCancelAll: () => void;
};

export function HistoryToolbar({ selectedCount, activeCount, canCancel, onCancelSelected, onCancelAll }: Props) {
  const { t } = useI18n();
  const selectedWhy = !canCancel ? t.history.noPermission : selectedCount === 0 ? t.history.nothingSelected : null;
  const allWhy = !canCancel ? t.history.noPermission : activeCount === 0 ? t.history.nothingRunning : null;

  return (
    <Flex gap={8} align="center" wrap role="toolbar" aria-label={t.history.toolbar}>
      {selectedCount > 0 && (
        <Typography.Text strong aria-live="polite">
          {t.history.selectedCount(selectedCount)}
        </Typography.Text>
      )}
      <WhyDisabled why={selectedWhy}>
        <Button
          danger
          type="primary"
          icon={<StopOutlined aria-hidden />}
          disabled={selectedWhy !== null}
          onClick={onCancelSelected}
        >
          {t.history.cancelSelected(selectedCount)}
        </Button>
      </WhyDisabled>
      <WhyDisabled why={allWhy}>
        <Button danger disabled={allWhy !== null} onClick={onCancelAll}>
          {t.history.cancelAllRunning(activeCount)}
        </Button>
      </WhyDisabled>
      {!canCancel && <Typography.Text type="secondary">{t.history.noPermission}</Typography.Text>}
    </Flex>
  );
}
