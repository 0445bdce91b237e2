import { Breadcrumb } from "antd";
import { Link } from "react-router";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

export type Crumb = { title: string; to?: string };

/** Where the page sits: Projects › project › pipeline; the last crumb is the page itself. */
export function PageBreadcrumb({ items }: { items: readonly Crumb[] }) {
  const { t } = useI18n();
  return (
    <Breadcrumb
      aria-label={t.common.breadcrumb}
      items={[{ title: t.app.projects, to: "/" }, ...items].map((item, index, all) => ({
        key: `${index}`,
        title: item.to && index < all.length - 1 ? <Link to={item.to}>{item.title}</Link> : item.title,
      }))}
    />
  );
}
