import { Alert, Button, Flex } from "antd";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import type { SelectionView } from "../utils/selection.ts";

type Props = {
  selection: SelectionView;
  pageCount: number;
  /** Active builds matching the filters, on every page. */
  totalMatching: number;
  /** Filters narrow the builds: the bar says "matching". */
  filtered: boolean;
  onSelectAllMatching: () => void;
  onClear: () => void;
};

/**
 * Gmail's pattern: once the page is ticked, offer every matching build; once they are, say so —
 * also how many were unticked since — and offer a way back.
 */
export function SelectAllBar({ selection, pageCount, totalMatching, filtered, onSelectAllMatching, onClear }: Props) {
  const { t } = useI18n();
  if (selection.allMatching) {
    return (
      <Alert
        type="info"
        title={
          <Flex gap={8} align="center" wrap>
            <span aria-live="polite">{t.history.allActiveSelected(totalMatching, selection.excluded, filtered)}</span>
            <Button type="link" size="small" onClick={onClear}>
              {t.history.clearSelection}
            </Button>
          </Flex>
        }
      />
    );
  }
  if (!selection.offerAllMatching) return null;
  return (
    <Alert
      type="info"
      title={
        <Flex gap={8} align="center" wrap>
          {t.history.pageSelected(pageCount)}
          <Button type="link" size="small" onClick={onSelectAllMatching}>
            {t.history.selectAllActive(totalMatching, filtered)}
          </Button>
        </Flex>
      }
    />
  );
}
