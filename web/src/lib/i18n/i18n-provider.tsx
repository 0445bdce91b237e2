import { createContext, type ReactNode, use, useCallback, useMemo, useState } from "react";
import type { Messages } from "./en.ts";
import { applyLanguage, type Language, type LanguagePack, loadLanguage, rememberLanguage } from "./languages.ts";

type I18nValue = {
  t: Messages;
  language: Language;
  antdLocale: LanguagePack["antd"];
  setLanguage: (language: Language) => Promise<void>;
};

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ initial, children }: { initial: LanguagePack; children: ReactNode }) {
  const [pack, setPack] = useState(initial);
  const setLanguage = useCallback(async (language: Language) => {
    const next = await loadLanguage(language);
    applyLanguage(next);
    rememberLanguage(language);
    setPack(next);
  }, []);
  const value = useMemo(
    () => ({ t: pack.messages, language: pack.language, antdLocale: pack.antd, setLanguage }),
    [pack, setLanguage],
  );
  return <I18nContext value={value}>{children}</I18nContext>;
}

export function useI18n(): I18nValue {
  const value = use(I18nContext);
  if (!value) throw new Error("useI18n needs an I18nProvider");
  return value;
}
