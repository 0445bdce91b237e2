import { logNote } from "@common/log-notes.ts";
import { describe, expect, it } from "vitest";
import { en } from "../../../lib/i18n/en.ts";
import { loadLanguage } from "../../../lib/i18n/languages.ts";
import { localizeLogText } from "./log-notes.ts";

describe("the build log in the page's language", () => {
  it("shows the lines Sluice wrote in 简体中文, the stop's engine reason translated, and the steps' output as written", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const text = [
      "$ npm test\n",
      logNote("stopAfterGrace", "superseded by #3", "10s"),
      logNote("stoppedBySigterm", "0.2s"),
      logNote("stopNow", "canceled by alice: superseded by #3"),
      logNote("stopNow", "build failed: agent_lost"),
      "[sluice] a line this page does not know\n",
    ].join("");
    expect(localizeLogText(text, zh).split("\n")).toEqual([
      "$ npm test",
      "[sluice] 正在停止：被 #3 取代；发送 SIGTERM，10s 宽限期后发送 SIGKILL",
      "[sluice] 已停止：发送 SIGTERM 后 0.2s 内所有进程均已结束",
      "[sluice] 正在停止：由 alice 取消：被 #3 取代；立即发送 SIGKILL",
      `[sluice] 正在停止：构建失败：${zh.reasons.agent_lost}；立即发送 SIGKILL`,
      "[sluice] a line this page does not know",
      "",
    ]);
  });

  it("reads the same as the raw log in English", () => {
    const line = logNote("stopNow", "");
    expect(localizeLogText(line, en)).toBe(line);
    const cancel = logNote("stopAfterGrace", "canceled by alice: bad push", "10.0s");
    expect(localizeLogText(cancel, en)).toBe(cancel);
    expect(localizeLogText(logNote("stopNow", "agent shutting down"), en)).toBe(
      "[sluice] stopping: agent shutting down; SIGKILL now\n",
    );
  });
});
