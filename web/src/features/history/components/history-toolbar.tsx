import { RedoOutlined, StopOutlined } from "@ant-design/icons";
import { Button, Flex, Typography } from "antd";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

type Props = {
  /** Ticked builds in all (or all matching, less those unticked). */
  selectedCount: number;
  /** Of those, what a cancel would reach, and what a re-run would. */
  cancelCount: number;
  rerunCount: number;
  /**
   * Active builds matching the filters across all pages: the "Cancel all running (M)" number; null
   * when the page cannot count them (a view filtered by trigger), the preview then counts them.
   */
  activeCount: number | null;
  canCancel: boolean;
  canTrigger: boolean;
  onCancelSelected: () => void;
  onRerunSelected: () => void;
  onCancelAll: () => void;
  /** The same, leaving the newest build of each branch alone. */
  onCancelAllButNewest: () => void;
};

export function HistoryToolbar({
  selectedCount,
  cancelCount,
  rerunCount,
  activeCount,
  canCancel,
  canTrigger,
  onCancelSelected,
  onRerunSelected,
  onCancelAll,
  onCancelAllButNewest,
}: Props) {
  const { t } = useI18n();
  const selectedWhy = !canCancel ? t.history.noPermission : cancelCount === 0 ? t.history.nothingSelected : null;
  const rerunWhy = !canTrigger ? t.history.noRerunPermission : rerunCount === 0 ? t.history.nothingToRerun : null;
  const allWhy = !canCancel ? t.history.noPermission : activeCount === 0 ? t.history.nothingRunning : null;
  const allLabel = activeCount === null ? t.history.cancelAllMatching : t.history.cancelAllRunning(activeCount);

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
          {t.history.cancelSelected(cancelCount)}
        </Button>
      </WhyDisabled>
      <WhyDisabled why={rerunWhy}>
        <Button icon={<RedoOutlined aria-hidden />} disabled={rerunWhy !== null} onClick={onRerunSelected}>
          {t.history.rerunSelected(rerunCount)}
        </Button>
      </WhyDisabled>
      <WhyDisabled why={allWhy}>
        <Button danger disabled={allWhy !== null} onClick={onCancelAll}>
          {allLabel}
        </Button>
      </WhyDisabled>
      <WhyDisabled why={allWhy}>
        <Button danger disabled={allWhy !== null} onClick={onCancelAllButNewest}>
          {t.history.cancelAllButNewest}
        </Button>
      </WhyDisabled>
      {!canCancel && <Typography.Text type="secondary">{t.history.noPermission}</Typography.Text>}
    </Flex>
  );
}
