import { MoonOutlined, SunOutlined } from "@ant-design/icons";
import { Switch } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { useTheme } from "../lib/theme/theme-provider.tsx";

/** Dark mode on or off; the choice is remembered (until then the system's preference rules). */
export function ThemeSwitch() {
  const { t } = useI18n();
  const { theme, setTheme } = useTheme();
  return (
    <Switch
      aria-label={t.app.darkMode}
      title={t.app.darkMode}
      checked={theme === "dark"}
      onChange={(dark) => setTheme(dark ? "dark" : "light")}
      checkedChildren={<MoonOutlined aria-hidden />}
      unCheckedChildren={<SunOutlined aria-hidden />}
    />
  );
}
