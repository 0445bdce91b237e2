/** The loading, error and empty states every data view shows the same way. */
import { Alert, Button, Empty, Flex, Spin } from "antd";
import type { ReactNode } from "react";
import { errorMessage } from "../lib/error-message.ts";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

export function LoadingState({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <Flex role="status" aria-live="polite" justify="center" align="center" gap={12} style={{ padding: 48 }}>
      <Spin />
      <span>{label ?? t.app.loading}</span>
    </Flex>
  );
}

export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? t.common.loadFailed}
      description={errorMessage(error, t)}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t.common.retry}
          </Button>
        ) : undefined
      }
    />
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={children} />;
}
