import { Layout } from "antd";
import { Suspense } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { ErrorState, LoadingState } from "../../components/query-states.tsx";
import { useMe } from "../../features/auth/api/get-me.ts";
import { OperationTrackerProvider } from "../../features/operations/components/operation-tracker-provider.tsx";
import { isUnauthenticated } from "../../lib/api-client.ts";
import { signInPath } from "../sign-in-path.ts";
import { SiteHeader } from "./site-header.tsx";

/**
 * Every page behind sign-in: asks `GET /api/me` once, sends a visitor without a session to the
 * sign-in page (remembering where they were going), and holds the header and the operation toasts.
 */
export function SessionLayout() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();

  if (me.isPending) return <LoadingState />;
  if (isUnauthenticated(me.error)) return <Navigate to={signInPath(location)} replace />;
  if (!me.data) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;

  return (
    <OperationTrackerProvider>
      <Layout style={{ minHeight: "100vh" }}>
        <SiteHeader user={me.data.user} onSignedOut={() => void navigate("/sign-in", { replace: true })} />
        <Layout.Content
          style={{ padding: "16px clamp(12px, 3vw, 24px) 48px", maxWidth: 1400, width: "100%", margin: "0 auto" }}
        >
          <Suspense fallback={<LoadingState />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </OperationTrackerProvider>
  );
}
