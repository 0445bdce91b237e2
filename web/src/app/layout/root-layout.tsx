import { theme } from "antd";
import { Suspense } from "react";
import { Outlet } from "react-router";
import { LoadingState } from "../../components/query-states.tsx";
import { NotificationsProvider } from "../../lib/notifications.tsx";

/** Inside the router, so notifications can hold links; gives plain elements antd's font and colour. */
export function RootLayout() {
  const { token } = theme.useToken();
  return (
    <NotificationsProvider>
      <div
        style={{
          fontFamily: token.fontFamily,
          fontSize: token.fontSize,
          lineHeight: token.lineHeight,
          color: token.colorText,
        }}
      >
        <Suspense fallback={<LoadingState />}>
          <Outlet />
        </Suspense>
      </div>
    </NotificationsProvider>
  );
}
