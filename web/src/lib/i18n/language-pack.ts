/** The languages the page speaks, and what one of them brings: its texts and antd's and dayjs's locales. */
import type { ConfigProviderProps } from "antd";
import type { Messages } from "./en.ts";

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

type AntdLocale = NonNullable<ConfigProviderProps["locale"]>;

export type LanguagePack = { language: Language; messages: Messages; antd: AntdLocale; dayjs: string };
