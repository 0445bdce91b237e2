import { useI18n } from "../lib/i18n/i18n-provider.tsx";

/** The browser tab's title; React 19 hoists `<title>` into the document head. */
export function PageTitle({ parts }: { parts: readonly (string | undefined)[] }) {
  const { t } = useI18n();
  return <title>{[...parts.filter(Boolean), t.app.name].join(" · ")}</title>;
}
