import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { useOperation } from "../../features/operations/api/get-operation.ts";
import { OperationDetails } from "../../features/operations/components/operation-details.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function OperationRoute() {
  const { t } = useI18n();
  const id = useParams().id ?? "";
  const op = useOperation(id).data?.operation;
  return (
    <>
      <PageTitle parts={[t.operations.title(id)]} />
      {op && (
        <PageBreadcrumb
          items={[
            { title: op.project, to: `/projects/${encodeURIComponent(op.project)}` },
            ...(op.pipeline
              ? [
                  {
                    title: op.pipeline,
                    to: `/projects/${encodeURIComponent(op.project)}/pipelines/${encodeURIComponent(op.pipeline)}`,
                  },
                ]
              : []),
            { title: t.operations.title(op.id) },
          ]}
        />
      )}
      <OperationDetails key={id} id={id} />
    </>
  );
}
