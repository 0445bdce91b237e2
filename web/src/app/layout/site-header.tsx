import { MenuOutlined } from "@ant-design/icons";
import type { SessionUser } from "@common/bff-api.ts";
import { Button, Grid, Layout, Space } from "antd";
import { lazy, Suspense, useState } from "react";
import { Link } from "react-router";
import { LanguageSwitch } from "../../components/language-switch.tsx";
import { ThemeSwitch } from "../../components/theme-switch.tsx";
import { UserMenu } from "../../features/auth/components/user-menu.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

// Only narrow screens open it, and only once tapped: the drawer's code is not part of every first load.
const HeaderMenu = lazy(() => import("./header-menu.tsx").then((m) => ({ default: m.HeaderMenu })));

/**
 * The header: the app's name, then language, theme, the user and sign-out; on narrow screens
 * (under 768 px) those collapse into a menu so nothing spills out.
 */
export function SiteHeader({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const [open, setOpen] = useState(false);
  // Mounted from the first opening on, so it can animate closed.
  const [opened, setOpened] = useState(false);
  // Until breakpoints are known (first render), assume a wide screen.
  const narrow = screens.md === false;
  return (
    <Layout.Header
      aria-label={t.app.header}
      style={{
        display: "flex",
        alignItems: "center",
        justifyContent: "space-between",
        gap: 16,
        paddingInline: narrow ? 16 : 24,
        color: "#fff",
      }}
    >
      <Link to="/" style={{ color: "#fff", fontSize: 18, fontWeight: 600, whiteSpace: "nowrap" }}>
        {t.app.name}
      </Link>
      {narrow ? (
        <>
          <Button
            type="text"
            icon={<MenuOutlined aria-hidden style={{ color: "#fff" }} />}
            aria-label={t.app.menu}
            aria-expanded={open}
            onClick={() => {
              setOpened(true);
              setOpen(true);
            }}
          />
          {opened && (
            <Suspense>
              <HeaderMenu open={open} onClose={() => setOpen(false)} user={user} onSignedOut={onSignedOut} />
            </Suspense>
          )}
        </>
      ) : (
        <Space size="middle" style={{ color: "#fff" }}>
          <LanguageSwitch />
          <ThemeSwitch />
          <UserMenu user={user} onSignedOut={onSignedOut} />
        </Space>
      )}
    </Layout.Header>
  );
}
