import type { SessionUser } from "@common/bff-api.ts";
import { Drawer, Flex } from "antd";
import { LanguageSwitch } from "../../components/language-switch.tsx";
import { ThemeSwitch } from "../../components/theme-switch.tsx";
import { UserMenu } from "../../features/auth/components/user-menu.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

/** The narrow header's menu: who is signed in, language, theme and signing out. Loaded when first opened. */
export function HeaderMenu({
  open,
  onClose,
  user,
  onSignedOut,
}: {
  open: boolean;
  onClose: () => void;
  user: SessionUser;
  onSignedOut: () => void;
}) {
  const { t } = useI18n();
  return (
    <Drawer open={open} onClose={onClose} title={t.app.menu} placement="right" size={300}>
      <Flex vertical gap={20}>
        <strong>{t.app.signedInAs(user.username)}</strong>
        <LanguageSwitch />
        <Flex gap={8} align="center">
          <ThemeSwitch />
          <span>{t.app.darkMode}</span>
        </Flex>
        <UserMenu user={user} onSignedOut={onSignedOut} compact />
      </Flex>
    </Drawer>
  );
}
