/**
 * Light and dark: the page follows the system's `prefers-color-scheme` until the user picks one
 * with the header's switch; the pick is remembered.
 */
export type ThemeName = "light" | "dark";

const STORAGE_KEY = "sluice.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

export function storedTheme(): ThemeName | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null;
  }
}

export function rememberTheme(theme: ThemeName): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage can be disabled (private mode); the choice then lasts for this visit only.
  }
}

export function systemTheme(): ThemeName {
  return window.matchMedia?.(DARK_QUERY).matches ? "dark" : "light";
}

/** Calls `onChange` when the system's preference changes; returns the unsubscribe. */
export function watchSystemTheme(onChange: (theme: ThemeName) => void): () => void {
  const query = window.matchMedia?.(DARK_QUERY);
  if (!query) return () => {};
  const listener = () => onChange(query.matches ? "dark" : "light");
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

/** The document's own colours (scrollbars, form controls, the page behind antd) follow too. */
export function applyTheme(theme: ThemeName): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function initialTheme(): ThemeName {
  return storedTheme() ?? systemTheme();
}
