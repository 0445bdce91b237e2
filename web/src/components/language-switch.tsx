import { Button, Space } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { LANGUAGES } from "../lib/i18n/languages.ts";

/** Each language is named in itself, so anyone can find their own; the current one is pressed. */
export function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  return (
    <Space.Compact role="group" aria-label={t.app.language}>
      {LANGUAGES.map((l) => (
        <Button
          key={l.code}
          size="small"
          lang={l.code}
          type={l.code === language ? "primary" : "default"}
          aria-pressed={l.code === language}
          onClick={() => void setLanguage(l.code)}
        >
          {l.label}
        </Button>
      ))}
    </Space.Compact>
  );
}
