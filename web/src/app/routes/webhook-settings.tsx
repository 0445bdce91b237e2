import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { WebhookSettings } from "../../features/webhooks/components/webhook-settings.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function WebhookSettingsRoute() {
  const { t } = useI18n();
  const project = useParams().project ?? "";
  return (
    <>
      <PageTitle parts={[t.webhooks.title, project]} />
      <PageBreadcrumb
        items={[
          { title: project, to: `/projects/${encodeURIComponent(project)}` },
          { title: t.webhooks.settings },
          { title: t.webhooks.title },
        ]}
      />
      <WebhookSettings key={project} project={project} />
    </>
  );
}
