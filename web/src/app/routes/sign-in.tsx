import { Alert, Card, Flex, Typography, theme } from "antd";
import { useNavigate, useSearchParams } from "react-router";
import { LanguageSwitch } from "../../components/language-switch.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ThemeSwitch } from "../../components/theme-switch.tsx";
import { SignInForm } from "../../features/auth/components/sign-in-form.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";
import { safeNext } from "../sign-in-path.ts";

export function SignInRoute() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));

  return (
    <main>
      <PageTitle parts={[t.auth.signIn]} />
      <Flex
        vertical
        align="center"
        justify="center"
        style={{ minHeight: "100vh", padding: 16, background: token.colorBgLayout }}
      >
        <Card style={{ width: "100%", maxWidth: 380 }}>
          <Flex vertical gap={16}>
            <Flex justify="space-between" align="center">
              <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
                {t.auth.title}
              </Typography.Title>
            </Flex>
            {params.get("expired") && <Alert type="info" showIcon role="status" title={t.auth.sessionExpired} />}
            <SignInForm onSignedIn={() => void navigate(next, { replace: true })} />
            <Flex justify="center" align="center" gap={16} wrap>
              <LanguageSwitch />
              <ThemeSwitch />
            </Flex>
          </Flex>
        </Card>
      </Flex>
    </main>
  );
}
