import { formatDuration } from "../lib/format.ts";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { useNow } from "../lib/use-now.ts";

type Props = { from: string | null; to: string | null };

/** How long something ran; while it still runs (`to` is null) it ticks every second. */
export function Duration({ from, to }: Props) {
  const { t } = useI18n();
  if (from === null) return <span>{t.common.none}</span>;
  if (to === null) return <Ticking from={from} />;
  return (
    <time dateTime={iso(Date.parse(to) - Date.parse(from))}>
      {formatDuration(Date.parse(to) - Date.parse(from), t)}
    </time>
  );
}

function Ticking({ from }: { from: string }) {
  const { t } = useI18n();
  const ms = useNow() - Date.parse(from);
  return <time dateTime={iso(ms)}>{formatDuration(ms, t)}</time>;
}

/** An ISO 8601 duration for the `<time>` element. */
function iso(ms: number): string {
  return `PT${Math.max(0, Math.floor(ms / 1000))}S`;
}
