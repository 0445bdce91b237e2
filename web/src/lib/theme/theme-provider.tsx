import { theme as antdTheme, ConfigProvider, type ThemeConfig } from "antd";
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useState } from "react";
import { applyTheme, initialTheme, rememberTheme, storedTheme, type ThemeName, watchSystemTheme } from "./themes.ts";

type ThemeValue = { theme: ThemeName; setTheme: (theme: ThemeName) => void };

const ThemeContext = createContext<ThemeValue | null>(null);

/**
 * antd's defaults, adjusted for WCAG AA contrast (4.5:1 for text, checked by the axe stories in
 * both themes): a deeper blue and red, so white text on primary and danger buttons reads (hovered
 * too: hover darkens in light mode, links lighten in dark mode); status
 * tags' text darker in light mode and lighter in dark mode; secondary text and placeholders
 * stronger than antd's 45% and 25%.
 */
const THEMES: Record<ThemeName, Partial<Pick<ThemeConfig, "token" | "components">>> = {
  light: {
    token: {
      colorPrimary: "#0958d9",
      colorPrimaryHover: "#003eb3",
      colorLink: "#0958d9",
      colorLinkHover: "#003eb3",
      colorInfo: "#0958d9",
      colorError: "#cf1322",
      colorErrorHover: "#a8071a",
      colorSuccess: "#237804",
      colorSuccessBg: "#f6ffed",
      colorSuccessBorder: "#b7eb8f",
      colorWarning: "#ad4e00",
      colorWarningBg: "#fffbe6",
      colorWarningBorder: "#ffe58f",
      colorTextTertiary: "rgba(0, 0, 0, 0.62)",
      colorTextDescription: "rgba(0, 0, 0, 0.62)",
      colorTextPlaceholder: "rgba(0, 0, 0, 0.56)",
      borderRadius: 6,
    },
  },
  dark: {
    token: {
      colorPrimary: "#1668dc",
      colorPrimaryHover: "#1554ad",
      colorLink: "#69b1ff",
      colorLinkHover: "#91caff",
      colorInfo: "#69b1ff",
      colorError: "#ff6b6b",
      colorTextTertiary: "rgba(255, 255, 255, 0.6)",
      colorTextDescription: "rgba(255, 255, 255, 0.6)",
      colorTextPlaceholder: "rgba(255, 255, 255, 0.5)",
      borderRadius: 6,
    },
    components: {
      // This red reads on black, so a solid red button carries dark text (white on it would not).
      Button: { dangerColor: "rgba(0, 0, 0, 0.88)" },
      Menu: { horizontalItemSelectedColor: "#4096ff", itemSelectedColor: "#4096ff" },
    },
  },
};

/** antd's default or dark algorithm, chosen by the system until the user picks one (remembered). */
export function ThemeProvider({ children, initial }: { children: ReactNode; initial?: ThemeName }) {
  const [theme, setThemeState] = useState<ThemeName>(() => initial ?? initialTheme());
  useEffect(() => applyTheme(theme), [theme]);
  // Without a pick of their own, the page follows the system as it changes (e.g. at dusk).
  useEffect(
    () =>
      watchSystemTheme((system) => {
        if (storedTheme() === null) setThemeState(system);
      }),
    [],
  );
  const setTheme = useCallback((next: ThemeName) => {
    rememberTheme(next);
    setThemeState(next);
  }, []);
  const value = useMemo(() => ({ theme, setTheme }), [theme, setTheme]);
  const config = useMemo<ThemeConfig>(
    () => ({ algorithm: theme === "dark" ? antdTheme.darkAlgorithm : antdTheme.defaultAlgorithm, ...THEMES[theme] }),
    [theme],
  );
  return (
    <ThemeContext value={value}>
      <ConfigProvider theme={config}>{children}</ConfigProvider>
    </ThemeContext>
  );
}

export function useTheme(): ThemeValue {
  const value = use(ThemeContext);
  if (!value) throw new Error("useTheme needs a ThemeProvider");
  return value;
}
