import { ERROR_CODES } from "@common/error-codes.ts";
import { AppError } from "@common/errors.ts";
import { BUILD_STATUSES, JOB_STATUSES, STEP_STATUSES } from "@common/statuses.ts";
import { describe, expect, it } from "vitest";
import { errorMessage } from "../error-message.ts";
import { en } from "./en.ts";
import { LANGUAGES, loadLanguage } from "./languages.ts";

type Leaf = { kind: "text" | "function"; value: unknown };

/** Every path to a leaf ("dialog.title") with what the leaf is: a text, or a function that makes one. */
function leaves(value: unknown, path = ""): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  if (typeof value === "string") out.set(path, { kind: "text", value });
  else if (typeof value === "function") out.set(path, { kind: "function", value });
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      for (const [p, leaf] of leaves(child, path ? `${path}.${key}` : key)) out.set(p, leaf);
    }
  }
  return out;
}

const kinds = (messages: unknown) => Object.fromEntries([...leaves(messages)].map(([path, leaf]) => [path, leaf.kind]));

const others = LANGUAGES.filter((l) => l.code !== "en");

describe("every language is complete", () => {
  it.each(others)("$label has every key English has, of the same kind, and no other", async ({ code }) => {
    const messages = (await loadLanguage(code)).messages;
    expect(kinds(messages)).toEqual(kinds(en));
  });

  it.each(LANGUAGES)("$label has no empty text", async ({ code }) => {
    const messages = (await loadLanguage(code)).messages;
    // Keys may hold dots themselves ("operation.completed"): the leaf carries its value.
    const empty = [...leaves(messages)].filter(([, leaf]) => leaf.value === "").map(([path]) => path);
    expect(empty).toEqual([]);
  });

  it.each(LANGUAGES)("$label translates every server error code, every role and every status", async ({ code }) => {
    const t = (await loadLanguage(code)).messages;
    const missing = ERROR_CODES.filter((c) => typeof t.errors[c] !== "string" || t.errors[c] === "");
    expect(missing).toEqual([]);
    for (const role of ["viewer", "developer", "maintainer", "admin"] as const) expect(t.roles[role]).toBeTruthy();
    for (const status of [...BUILD_STATUSES, ...JOB_STATUSES, ...STEP_STATUSES]) expect(t.status[status]).toBeTruthy();
  });

  it("shows a server error by its code in the page's language, not the server's English message", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    const error = new AppError(403, "forbidden", 'Your role (viewer) in "demo" may not cancel here');
    expect(errorMessage(error, en)).toBe("Your role in this project does not allow this.");
    expect(errorMessage(error, zh)).toBe("你在该项目中的角色不允许此操作。");
    expect(errorMessage(new TypeError("Failed to fetch"), zh)).toBe(zh.common.networkError);
  });
});
