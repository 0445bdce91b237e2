import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("configuration", () => {
  it("an agent timeout must leave room for three heartbeats, and the stop ack timeout for two", () => {
    expect(() => loadConfig({ SLUICE_AGENT_TIMEOUT_SECONDS: "5", SLUICE_AGENT_HEARTBEAT_SECONDS: "2" })).toThrow(
      /SLUICE_AGENT_TIMEOUT_SECONDS: must be at least three heartbeats/,
    );
    expect(() => loadConfig({ SLUICE_STOP_ACK_TIMEOUT_SECONDS: "3", SLUICE_AGENT_HEARTBEAT_SECONDS: "2" })).toThrow(
      /SLUICE_STOP_ACK_TIMEOUT_SECONDS: must be at least two heartbeats/,
    );
    const ok = loadConfig({ SLUICE_AGENT_TIMEOUT_SECONDS: "6", SLUICE_AGENT_HEARTBEAT_SECONDS: "2" });
    expect(ok.agentHeartbeatSeconds).toBe(2);
  });

  it("takes several engine URLs for an agent, and refuses what is not one", () => {
    const c = loadConfig({ SLUICE_ENGINE_URL: "http://a:8081, http://b:8081/" });
    expect(c.engineUrls).toEqual(["http://a:8081", "http://b:8081"]);
    expect(c.engineUrl).toBe("http://a:8081");
    expect(() => loadConfig({ SLUICE_ENGINE_URL: "ftp://x" })).toThrow(/SLUICE_ENGINE_URL/);
  });

  it("keeps workspaces next to the data dir, never inside it", () => {
    const c = loadConfig({ SLUICE_DATA_DIR: "/srv/sluice/data" });
    expect(c.workDir).toBe("/srv/sluice/data-workspaces");
  });

  it("reads the metrics token and the webhook settings, refusing what is out of range", () => {
    const defaults = loadConfig({});
    expect(defaults.metricsToken).toBeUndefined();
    expect(defaults.webhooks).toEqual({ allowPrivate: false, ratePerMinute: 60, batchSize: 1000 });
    const set = loadConfig({
      SLUICE_METRICS_TOKEN: "scrape",
      SLUICE_WEBHOOK_ALLOW_PRIVATE: "1",
      SLUICE_WEBHOOK_RATE_PER_MINUTE: "600",
      SLUICE_WEBHOOK_BATCH_SIZE: "50",
    });
    expect(set.metricsToken).toBe("scrape");
    expect(set.webhooks).toEqual({ allowPrivate: true, ratePerMinute: 600, batchSize: 50 });
    expect(() => loadConfig({ SLUICE_WEBHOOK_RATE_PER_MINUTE: "0" })).toThrow(/SLUICE_WEBHOOK_RATE_PER_MINUTE/);
    expect(() => loadConfig({ SLUICE_WEBHOOK_BATCH_SIZE: "100000" })).toThrow(/SLUICE_WEBHOOK_BATCH_SIZE/);
    expect(() => loadConfig({ SLUICE_WEBHOOK_ALLOW_PRIVATE: "yes" })).toThrow(/SLUICE_WEBHOOK_ALLOW_PRIVATE/);
  });
});
