import { theme as antdTheme, ConfigProvider } from "antd";
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useState } from "react";
import { applyTheme, initialTheme, rememberTheme, storedTheme, type ThemeName, watchSystemTheme } from "./themes.ts";

type ThemeValue = { theme: ThemeName; setTheme: (theme: ThemeName) => void };

const ThemeContext = createContext<ThemeValue | null>(null);

const TOKENS = { colorPrimary: "#1677ff", borderRadius: 6 };

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
  const config = useMemo(
    () => ({
      algorithm: theme === "dark" ? antdTheme.darkAlgorithm : antdTheme.defaultAlgorithm,
      token: TOKENS,
    }),
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
