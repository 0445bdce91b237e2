import { describe, expect, it } from "vitest";
import { en } from "../../../lib/i18n/en.ts";
import { loadLanguage } from "../../../lib/i18n/languages.ts";
import { deliveryErrorText } from "./delivery-error.ts";

describe("a failed webhook delivery's error in the page's language", () => {
  it("translates the engine's codes in 简体中文, keeps the code, and shows an unknown error as written", async () => {
    const zh = (await loadLanguage("zh-CN")).messages;
    expect(deliveryErrorText("ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9", zh)).toBe("连接被拒绝（ECONNREFUSED）");
    expect(deliveryErrorText("no answer within 5s", zh)).toBe("5 秒内无应答");
    expect(deliveryErrorText("DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate", zh)).toBe(
      "接收端的 TLS 证书未被接受（DEPTH_ZERO_SELF_SIGNED_CERT）",
    );
    expect(deliveryErrorText("webhook_url_not_allowed: 10.0.0.1 is private", zh)).toBe(
      zh.errors.webhook_url_not_allowed,
    );
    expect(deliveryErrorText("something else happened", zh)).toBe("something else happened");
  });

  it("names the setting that allows private addresses", () => {
    expect(deliveryErrorText("webhook_url_not_allowed: 127.0.0.1 is loopback", en)).toContain(
      "SLUICE_WEBHOOK_ALLOW_PRIVATE=1",
    );
  });
});
