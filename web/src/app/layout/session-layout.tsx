import { Layout, Space } from "antd";
import { Suspense } from "react";
import { Link, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { LanguageSwitch } from "../../components/language-switch.tsx";
import { ErrorState, LoadingState } from "../../components/query-states.tsx";
import { useMe } from "../../features/auth/api/get-me.ts";
import { UserMenu } from "../../features/auth/components/user-menu.tsx";
import { OperationTrackerProvider } from "../../features/operations/components/operation-tracker-provider.tsx";
import { isUnauthenticated } from "../../lib/api-client.ts";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";
import { signInPath } from "../sign-in-path.ts";

/**
 * Every page behind sign-in: asks `GET /api/me` once, sends a visitor without a session to the
 * sign-in page (remembering where they were going), and holds the header and the operation toasts.
 */
export function SessionLayout() {
  const { t } = useI18n();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();

  if (me.isPending) return <LoadingState />;
  if (isUnauthenticated(me.error)) return <Navigate to={signInPath(location)} replace />;
  if (!me.data) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;

  return (
    <OperationTrackerProvider>
      <Layout style={{ minHeight: "100vh" }}>
        <Layout.Header
          style={{
            display: "flex",
            alignItems: "center",
            justifyContent: "space-between",
            gap: 16,
            paddingInline: 24,
            color: "#fff",
          }}
        >
          <Link to="/" style={{ color: "#fff", fontSize: 18, fontWeight: 600 }}>
            {t.app.name}
          </Link>
          <Space size="middle" style={{ color: "#fff" }}>
            <LanguageSwitch />
            <UserMenu user={me.data.user} onSignedOut={() => void navigate("/sign-in", { replace: true })} />
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: "16px 24px 48px", maxWidth: 1400, width: "100%", margin: "0 auto" }}>
          <main>
            <Suspense fallback={<LoadingState />}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </OperationTrackerProvider>
  );
}
