import { Flex, Typography, theme } from "antd";
import type { OperationCounts } from "../../../common/dto.ts";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

/**
 * An operation's outcomes as one small stacked bar (canceled, already finished, failed, pending)
 * with "done/total" beside it; screen readers get the counts in words.
 */
export function CountsBar({ counts, total }: { counts: OperationCounts; total: number }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const parts = [
    { key: "canceled", value: counts.canceled, color: token.colorSuccess },
    { key: "alreadyFinished", value: counts.alreadyFinished, color: token.colorWarning },
    { key: "failed", value: counts.failed, color: token.colorError },
    { key: "pending", value: counts.pending, color: token.colorFillSecondary },
  ];
  const done = total - counts.pending;
  return (
    <Flex align="center" gap={8} role="img" aria-label={t.operations.countsLabel(counts)}>
      <div
        style={{
          display: "flex",
          width: 96,
          height: 8,
          borderRadius: 4,
          overflow: "hidden",
          background: token.colorFillSecondary,
          flex: "none",
        }}
      >
        {total > 0 &&
          parts.map((part) =>
            part.value > 0 ? (
              <div key={part.key} style={{ width: `${(part.value / total) * 100}%`, background: part.color }} />
            ) : null,
          )}
      </div>
      <Typography.Text type="secondary" style={{ whiteSpace: "nowrap" }}>
        {done}/{total}
      </Typography.Text>
    </Flex>
  );
}
