import { LogoutOutlined, UserOutlined } from "@ant-design/icons";
import type { SessionUser } from "@common/bff-api.ts";
import { Button, Space } from "antd";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useSignOut } from "../api/sign-out.ts";

/** Who is signed in and a way out; `compact` (the narrow header's menu) names the user elsewhere. */
export function UserMenu({
  user,
  onSignedOut,
  compact = false,
}: {
  user: SessionUser;
  onSignedOut: () => void;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const signOut = useSignOut({ onDone: onSignedOut });
  return (
    <Space size="middle">
      {!compact && (
        <span title={t.app.signedInAs(user.username)} style={{ whiteSpace: "nowrap" }}>
          <UserOutlined aria-hidden /> {user.username}
        </span>
      )}
      <Button icon={<LogoutOutlined aria-hidden />} onClick={() => signOut.mutate()} loading={signOut.isPending}>
        {t.app.signOut}
      </Button>
    </Space>
  );
}
