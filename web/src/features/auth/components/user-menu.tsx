import { LogoutOutlined, UserOutlined } from "@ant-design/icons";
import { Button, Space } from "antd";
import type { SessionUser } from "../../../../../common/bff-api.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useSignOut } from "../api/sign-out.ts";

export function UserMenu({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const { t } = useI18n();
  const signOut = useSignOut({ onDone: onSignedOut });
  return (
    <Space size="middle">
      <span title={t.app.signedInAs(user.username)}>
        <UserOutlined aria-hidden /> {user.username}
      </span>
      <Button icon={<LogoutOutlined aria-hidden />} onClick={() => signOut.mutate()} loading={signOut.isPending}>
        {t.app.signOut}
      </Button>
    </Space>
  );
}
