import { Alert, Button, Flex } from "antd";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import type { SelectionView } from "../utils/selection.ts";

type Props = {
  selection: SelectionView;
  pageCount: number;
  totalActive: number;
  onSelectAllActive: () => void;
  onClear: () => void;
};

/** Gmail's pattern: once the page is ticked, offer the rest; once everything is, offer a way back. */
export function SelectAllBar({ selection, pageCount, totalActive, onSelectAllActive, onClear }: Props) {
  const { t } = useI18n();
  if (selection.allActive) {
    return (
      <Alert
        type="info"
        title={
          <Flex gap={8} align="center" wrap>
            {t.history.allActiveSelected(totalActive)}
            <Button type="link" size="small" onClick={onClear}>
              {t.history.clearSelection}
            </Button>
          </Flex>
        }
      />
    );
  }
  if (!selection.offerAllActive) return null;
  return (
    <Alert
      type="info"
      title={
        <Flex gap={8} align="center" wrap>
          {t.history.pageSelected(pageCount)}
          <Button type="link" size="small" onClick={onSelectAllActive}>
            {t.history.selectAllActive(totalActive)}
          </Button>
        </Flex>
      }
    />
  );
}
