import { Button, Result } from "antd";
import { useNavigate } from "react-router";
import { PageTitle } from "../../components/page-title.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function NotFoundRoute() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <>
      <PageTitle parts={[t.app.notFoundTitle]} />
      <Result
        status="404"
        title={t.app.notFoundTitle}
        subTitle={t.app.notFound}
        extra={
          <Button type="primary" onClick={() => void navigate("/")}>
            {t.app.backHome}
          </Button>
        }
      />
    </>
  );
}
