import { Alert, Button, Flex } from "antd";
import { useRouteError } from "react-router";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

/** A page that failed to load or render, e.g. a route chunk from an older deploy that no longer exists. */
export function RouteError() {
  const { t } = useI18n();
  const error = useRouteError();
  return (
    <Flex justify="center" style={{ padding: 48 }}>
      <Alert
        type="error"
        showIcon
        title={t.app.crashTitle}
        description={error instanceof Error ? error.message : undefined}
        action={
          <Button type="primary" onClick={() => window.location.reload()}>
            {t.app.reload}
          </Button>
        }
      />
    </Flex>
  );
}
