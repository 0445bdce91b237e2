/**
 * The page's languages. English ships in the main bundle; the others load on demand with their
 * antd and dayjs locales so all three switch together.
 */
import type { ConfigProviderProps } from "antd";
import enUS from "antd/locale/en_US";
import dayjs from "dayjs";
import relativeTime from "dayjs/plugin/relativeTime";
import { en, type Messages } from "./en.ts";

dayjs.extend(relativeTime);

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

type AntdLocale = NonNullable<ConfigProviderProps["locale"]>;

export type LanguagePack = { language: Language; messages: Messages; antd: AntdLocale; dayjs: string };

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
