import type { OperationKind } from "@common/constants.ts";
import type { OperationCounts } from "@common/dto.ts";
import { Flex, Typography, theme } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { type CountKey, countKeys } from "../lib/operation-kinds.ts";

/**
 * An operation's outcomes as one small stacked bar (for a cancel: canceled, already finished,
 * failed, protected, pending) with "done/total" beside it; screen readers get the counts in words.
 */
export function CountsBar({ kind, counts, total }: { kind: OperationKind; counts: OperationCounts; total: number }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const colors: Record<CountKey, string> = {
    canceled: token.colorSuccess,
    created: token.colorSuccess,
    alreadyFinished: token.colorWarning,
    skipped: token.colorWarning,
    protected: token.colorInfo,
    failed: token.colorError,
    pending: token.colorFillSecondary,
  };
  const keys = countKeys(kind);
  const label = keys.map((key) => t.operations.countPart(t.operations.counts[key], counts[key])).join(", ");
  return (
    <Flex align="center" gap={8} role="img" aria-label={label}>
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
          keys.map((key) =>
            counts[key] > 0 ? (
              <div key={key} style={{ width: `${(counts[key] / total) * 100}%`, background: colors[key] }} />
            ) : null,
          )}
      </div>
      <Typography.Text type="secondary" style={{ whiteSpace: "nowrap" }}>
        {total - counts.pending}/{total}
      </Typography.Text>
    </Flex>
  );
}
