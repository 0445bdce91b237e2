import { describe, expect, it } from "vitest";
import { en } from "../../../lib/i18n/en.ts";
import { loadLanguage } from "../../../lib/i18n/languages.ts";
import { operation } from "../../../test/fixtures.ts";
import { operationImpact, operationScope, operationSource, operationTitle } from "./describe-operation.ts";

describe("an operation in words", () => {
  it("names a repository operation's event from its reason, in both languages; other sources as they are", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const from = (reason: string | null, source: "repository" | "concurrency" = "repository") =>
      operationSource(operation({ total: 1, source, reason }), en);
    expect(from("superseded by a push to main (abc1234)")).toBe("Repository: push");
    expect(from("superseded by #2")).toBe("Repository: new commits");
    expect(from("superseded by an update of pull request #12")).toBe("Repository: pull request updated");
    expect(from("branch feature/x was deleted")).toBe("Repository: branch deleted");
    expect(from("pull request #12 was closed")).toBe("Repository: PR closed");
    expect(from("pull request #12 was merged")).toBe("Repository: PR merged");
    expect(from("something else")).toBe("Repository");
    expect(from("superseded by #2", "concurrency")).toBe("Concurrency policy");
    expect(operationSource(operation({ total: 1, source: "repository", reason: "branch x was deleted" }), zh)).toBe(
      "代码仓库：分支删除",
    );
  });

  it("has a human title in both languages, for each kind", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const op = operation({ total: 61, requestedBy: "dev" });
    expect(operationTitle(op, en)).toBe("Cancel of 61 builds by dev");
    expect(operationTitle({ ...op, total: 1 }, en)).toBe("Cancel of 1 build by dev");
    expect(operationTitle({ ...op, kind: "rerun" }, en)).toBe("Re-run of 61 builds by dev");
    expect(operationTitle(op, zh)).toBe("dev 取消 61 个构建");
  });

  it("says how its builds were chosen: a filter in words, numbers, the concurrency policy, or one by one", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const filtered = operation({
      total: 9,
      selection: { filter: { status: ["QUEUED", "RUNNING"], branch: "main", before: 40 }, excluded: 2 },
    });
    expect(operationScope(filtered, en)).toBe(
      "Pipeline web-app · all queued and running builds on main, created before #40, except 2",
    );
    expect(operationScope(filtered, zh)).toBe(
      "流水线 web-app · 分支 main 上、#40 之前创建的全部排队中和运行中的构建，除去 2 个",
    );
    const projectWide = operation({
      total: 3,
      scope: "project",
      pipeline: null,
      selection: { filter: { status: ["RUNNING"], triggeredBy: "bob", pipelines: ["web", "api"] } },
    });
    expect(operationScope(projectWide, en)).toBe(
      "All pipelines of demo · all running builds triggered by bob in web and api",
    );
    expect(operationScope(operation({ total: 2, selection: { buildNumbers: [12, 13] } }), en)).toBe(
      "Pipeline web-app · builds #12 and #13",
    );
    expect(operationScope(operation({ total: 1, source: "concurrency" }), en)).toBe(
      "Pipeline web-app · older builds of its concurrency group",
    );
    expect(operationScope(operation({ total: 3, selection: { buildIds: 3 } }), en)).toBe(
      "Pipeline web-app · 3 builds chosen one by one",
    );
    expect(operationScope(operation({ total: 1 }), zh)).toBe("流水线 web-app · 逐个选择的 1 个构建");
  });

  it("says what a judged cancel kept, what protected branches left out, and the impact its confirmer saw", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const judged = operation({
      total: 9,
      selection: {
        filter: { status: ["QUEUED", "RUNNING"], keepNewest: { per: "branch", count: 1 } },
        kept: 7,
        leftOutProtected: 3,
        impact: { running: 12, queued: 30, agents: 3, workDoneSeconds: 15_000, workAvoidedSeconds: 9_000 },
      },
    });
    expect(operationScope(judged, en)).toBe(
      "Pipeline web-app · all queued and running builds, keeping the newest of each branch (7 kept), 3 builds on protected branches left out",
    );
    expect(operationImpact(judged, en)).toBe("12 running on 3 agents (4h 10m done), 30 queued (about 2h 30m avoided)");
    expect(operationImpact(judged, zh)).toBe(
      "3 个代理上运行中 12 个（已完成 4 小时 10 分），排队中 30 个（约省下 2 小时 30 分）",
    );
    expect(operationImpact(operation({ total: 1, selection: null }), en)).toBeNull();
  });
});
