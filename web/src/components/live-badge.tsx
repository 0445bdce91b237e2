import { Badge, Tooltip } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import type { StreamState } from "../lib/stream/stream-client.ts";

/** Whether the page's live stream is connected; the stream reconnects by itself. */
export function LiveBadge({ state }: { state: StreamState }) {
  const { t } = useI18n();
  const live = state === "live";
  return (
    <Tooltip title={t.history.liveHint}>
      <span role="status">
        <Badge status={live ? "processing" : "warning"} text={live ? t.history.live : t.history.reconnecting} />
      </span>
    </Tooltip>
  );
}
