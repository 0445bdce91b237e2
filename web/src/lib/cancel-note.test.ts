import { describe, expect, it } from "vitest";
import { cancelNote, itemNote, reasonText } from "./cancel-note.ts";
import { en } from "./i18n/en.ts";
import { zhCN } from "./i18n/zh-cn.ts";

const cancel = (by: string, reason: string | null) => ({
  cancel: { by, reason, operationId: "op-1", at: "2024-05-01T10:00:00.000Z" },
  statusReason: null,
});

describe("cancel notes", () => {
  it("names who canceled and why", () => {
    expect(cancelNote(cancel("alice", "bad push"), en)).toBe("by alice: bad push");
    expect(cancelNote(cancel("alice", null), en)).toBe("by alice");
  });

  it("says a cancel ended by force, or without the agent's confirmation, after who and why", () => {
    expect(cancelNote({ ...cancel("alice", "bad push"), statusReason: "forced" }, en)).toBe(
      "by alice: bad push · stopped by force",
    );
    expect(cancelNote({ ...cancel("alice", null), statusReason: "agent_unresponsive" }, en)).toBe(
      "by alice · the agent did not confirm the stop",
    );
  });

  it("says which build superseded one canceled by the concurrency policy", () => {
    expect(cancelNote(cancel("bob", "superseded by #42"), en)).toBe("superseded by #42");
  });

  it("puts an operation item's note in words: a status reached, already canceling, forced, a system reason, or the agent's own message", () => {
    expect(itemNote("SUCCEEDED", en)).toBe("Succeeded");
    expect(itemNote("already_canceling", en)).toBe("Already being canceled");
    expect(itemNote("forced", en)).toBe("stopped by force");
    expect(itemNote("agent_unresponsive", en)).toBe("the agent did not confirm the stop");
    expect(itemNote("kill: permission denied", en)).toBe("kill: permission denied");
    expect(itemNote(null, en)).toBeNull();
  });

  it("translates the engine's own reasons and shows nothing without one", () => {
    expect(cancelNote({ statusReason: "queue_timeout" }, en)).toBe("waited too long in the queue");
    expect(cancelNote({ statusReason: null }, en)).toBeNull();
  });

  it("an operation's reason the engine wrote is translated (the operations centre and audit log); one typed is kept", () => {
    const zh = zhCN.messages;
    expect(reasonText("superseded by #3", zh)).toBe("被 #3 取代");
    expect(reasonText("queue_full", zh)).toBe("队列已满被挤出");
    expect(reasonText("superseded by a push to main (abcdef1)", zh)).toBe("被推送到 main 的提交（abcdef1）取代");
    expect(reasonText("superseded by an update of pull request #7", zh)).toBe("被拉取请求 #7 的更新取代");
    expect(reasonText("pull request #7 was merged", zh)).toBe("拉取请求 #7 已合并");
    expect(reasonText("branch feature/x was deleted", zh)).toBe("分支 feature/x 已删除");
    expect(reasonText("bad push", zh)).toBe("bad push");
    expect(reasonText(null, zh)).toBeNull();
    expect(reasonText("branch feature/x was deleted", en)).toBe("branch feature/x was deleted");
  });
});
