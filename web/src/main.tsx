import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/app.tsx";
import { applyLanguage, loadLanguage, preferredLanguage } from "./lib/i18n/languages.ts";
import { applyTheme, initialTheme } from "./lib/theme/themes.ts";

// The remembered language loads before the first paint, so the page never flashes in English first.
const language = await loadLanguage(preferredLanguage()).catch(() => loadLanguage("en"));
applyLanguage(language);
// The theme too, so a dark page never flashes light first.
applyTheme(initialTheme());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App language={language} />
  </StrictMode>,
);
