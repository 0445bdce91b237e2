/**
 * The page's languages. English ships in the main bundle; the others load on demand with their
 * antd and dayjs locales so all three switch together.
 */
import enUS from "antd/locale/en_US";
import dayjs from "dayjs";
import relativeTime from "dayjs/plugin/relativeTime";
import { en } from "./en.ts";
import { LANGUAGES, type Language, type LanguagePack } from "./language-pack.ts";

export { LANGUAGES, type Language, type LanguagePack };

dayjs.extend(relativeTime);

const STORAGE_KEY = "sluice.language";

const english: LanguagePack = { language: "en", messages: en, antd: enUS, dayjs: "en" };

export async function loadLanguage(language: Language): Promise<LanguagePack> {
  if (language === "en") return english;
  const pack = await import("./zh-cn.ts");
  return pack.zhCN;
}

export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.some((l) => l.code === value);
}

/** The remembered choice, else the browser's preference. */
export function preferredLanguage(): Language {
  const stored = readStored();
  if (isLanguage(stored)) return stored;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage can be disabled (private mode); the choice then lasts for this visit only.
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** dayjs formats relative times in the active language; the document's lang tells screen readers. */
export function applyLanguage(pack: LanguagePack): void {
  dayjs.locale(pack.dayjs);
  document.documentElement.lang = pack.language;
}
