import { describe, expect, it } from "vitest";
import { en } from "../../../lib/i18n/en.ts";
import { loadLanguage } from "../../../lib/i18n/languages.ts";
import { operation } from "../../../test/fixtures.ts";
import { operationScope, operationTitle } from "./describe-operation.ts";

describe("an operation in words", () => {
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
});
