/**
 * Every kind of bulk operation the contract names (`OPERATION_KINDS`) has its page declaration, and
 * in every language its words: a new kind that forgets one of them fails here (and to compile).
 */
import { OPERATION_KINDS } from "@common/constants.ts";
import { Operation } from "@common/contract/operations.ts";
import { describe, expect, it } from "vitest";
import { batchPreview } from "../test/fixtures.ts";
import { LANGUAGES, loadLanguage } from "./i18n/languages.ts";
import { OPERATION_KIND_VIEWS } from "./operation-kinds.ts";

const COUNT_KEYS = Object.keys(Operation.shape.counts.shape);

describe("operation kinds on the page", () => {
  it("declares every kind, and only those", () => {
    expect(Object.keys(OPERATION_KIND_VIEWS).sort()).toEqual([...OPERATION_KINDS].sort());
  });

  it.each(OPERATION_KINDS)("%s: its counts are the contract's, pending last", (kind) => {
    const keys = OPERATION_KIND_VIEWS[kind].countKeys;
    for (const key of keys) expect(COUNT_KEYS).toContain(key);
    expect(keys.at(-1)).toBe("pending");
  });

  it.each(LANGUAGES)("$label has every kind's words", async ({ code }) => {
    const t = (await loadLanguage(code)).messages;
    const preview = batchPreview({ RUNNING: 2, QUEUED: 1 });
    for (const kind of OPERATION_KINDS) {
      expect(t.operations.kinds[kind], kind).toEqual(expect.any(String));
      expect(t.audit.actions[kind], kind).toEqual(expect.any(String));
      const words = OPERATION_KIND_VIEWS[kind].texts(t);
      expect(words.running(3)).toContain("3");
      expect(words.headline(preview, { branch: null, upTo: null, acting: 3 })).toContain("3");
      for (const text of [words.progressLabel, words.complete, words.dialog.keep, words.dialog.intro]) {
        expect(text.length, kind).toBeGreaterThan(0);
      }
    }
  });
});
