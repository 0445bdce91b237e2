import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConfigProvider } from "antd";
import type { ReactNode } from "react";
import { I18nProvider, useI18n } from "../lib/i18n/i18n-provider.tsx";
import type { LanguagePack } from "../lib/i18n/languages.ts";
import { ThemeProvider } from "../lib/theme/theme-provider.tsx";

/** Everything above the router: data cache, language, antd's locale, light or dark theme. */
export function AppProvider({
  queryClient,
  language,
  children,
}: {
  queryClient: QueryClient;
  language: LanguagePack;
  children: ReactNode;
}) {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider initial={language}>
        <ThemeProvider>
          <LocalizedConfig>{children}</LocalizedConfig>
        </ThemeProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}

/** antd's own texts (table filters, empty states, dialogs) follow the chosen language. */
function LocalizedConfig({ children }: { children: ReactNode }) {
  const { antdLocale } = useI18n();
  return <ConfigProvider locale={antdLocale}>{children}</ConfigProvider>;
}
