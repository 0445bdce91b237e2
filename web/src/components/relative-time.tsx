import { Tooltip } from "antd";
import dayjs from "dayjs";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { useNow } from "../lib/use-now.ts";

/** "Three minutes ago" needs no finer clock than this. */
const REFRESH_MS = 30_000;

/** "3 minutes ago", kept current, with the exact time on hover and in `dateTime`. */
export function RelativeTime({ value }: { value: string | null }) {
  const { t } = useI18n();
  if (value === null) return <span>{t.common.none}</span>;
  return <Ago value={value} />;
}

function Ago({ value }: { value: string }) {
  // Re-rendered on a language change too: dayjs's locale is global and `useI18n` subscribes.
  const { t } = useI18n();
  const now = useNow(REFRESH_MS);
  const at = dayjs(value);
  const exact = at.format(t.time.exact);
  // The shared clock ticks every 30 s, and the engine's clock may be ahead of the browser's: a
  // build that just started is "a few seconds ago", never "in a few seconds".
  const reference = dayjs(Math.max(now, at.valueOf()));
  return (
    <Tooltip title={exact}>
      <time dateTime={value}>{at.from(reference)}</time>
    </Tooltip>
  );
}
