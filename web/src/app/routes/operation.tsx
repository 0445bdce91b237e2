import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { useProjectAccess } from "../../features/auth/hooks/use-project-access.ts";
import { useOperation } from "../../features/operations/api/get-operation.ts";
import { OperationDetails } from "../../features/operations/components/operation-details.tsx";
import { operationTitle } from "../../features/operations/utils/describe-operation.ts";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function OperationRoute() {
  const { t } = useI18n();
  const id = useParams().id ?? "";
  const op = useOperation(id).data?.operation;
  const title = op ? operationTitle(op, t) : undefined;
  const access = useProjectAccess(op?.project ?? "");
  return (
    <>
      <PageTitle parts={[title, op?.project]} />
      {op && title && (
        <PageBreadcrumb
          items={[
            { title: op.project, to: `/projects/${encodeURIComponent(op.project)}` },
            { title: t.operations.centre, to: `/projects/${encodeURIComponent(op.project)}/operations` },
            { title },
          ]}
        />
      )}
      <OperationDetails
        key={id}
        id={id}
        canRerun={op && (access?.permissions.canTrigger ?? false)}
        canForce={access?.permissions.canCancel ?? false}
      />
    </>
  );
}
