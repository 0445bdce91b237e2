/** The BFF's `GET /metrics`: its requests by declared route, its open streams and sign-ins, behind the token. */
import { afterEach, describe, expect, it } from "vitest";
import { sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { sample } from "../../engine/test/prom-text.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

const TOKEN = "bff-scrape-token";

describe("the BFF's metrics", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.destroy();
  });

  const scrape = async (token: string | null = TOKEN) => {
    const res = await fetch(
      `${stack!.bff.url}/metrics`,
      token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    );
    return { status: res.status, text: await res.text() };
  };

  it("is off without SLUICE_METRICS_TOKEN: 403 metrics_token_required", async () => {
    stack = await startStack({ db: { name: "sqlite" }, slots: 0 });
    for (const token of [null, "anything"]) {
      const res = await scrape(token);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error.code).toBe("metrics_token_required");
    }
  });

  it("counts requests by route, open streams and sign-ins, and answers only with the metrics token", async () => {
    stack = await startStack({ db: { name: "sqlite" }, slots: 0, bffMetricsToken: TOKEN });
    const p = await stack.engine.api.pipeline("acme", "app", sleepPipeline());
    const build = await stack.engine.api.trigger(p);
    await addUser(stack, "dev", { acme: "developer" });
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("wrong")).status).toBe(401);

    const browser = new Browser(stack.bff.url);
    expect((await browser.signIn("dev", "not-the-password")).status).toBe(401);
    expect((await browser.signIn("dev")).status).toBe(200);
    expect((await browser.request("GET", `/api/builds/${build.id}`)).status).toBe(200);
    expect((await browser.request("GET", "/api/builds/999999")).status).toBe(404);

    let openWhileStreaming: number | undefined;
    await browser.stream("/api/stream?topics=pipeline:acme/app", {
      onOpen: async () => {
        openWhileStreaming = sample((await scrape()).text, "sluice_bff_event_streams_open", { route: "/api/stream" });
      },
      until: () => true,
      timeoutMs: 2000,
    });
    expect(openWhileStreaming).toBe(1);

    const text = await waitFor(async () => {
      const t = (await scrape()).text;
      return sample(t, "sluice_bff_event_streams_open", { route: "/api/stream" }) === 0 ? t : undefined;
    });
    expect(
      sample(text, "sluice_bff_http_requests_total", { method: "GET", route: "/api/builds/:id", status: "200" }),
    ).toBe(1);
    expect(
      sample(text, "sluice_bff_http_requests_total", { method: "GET", route: "/api/builds/:id", status: "404" }),
    ).toBe(1);
    expect(
      sample(text, "sluice_bff_http_request_duration_seconds_count", { method: "GET", route: "/api/builds/:id" }),
    ).toBe(2);
    expect(sample(text, "sluice_bff_sign_ins_total", { outcome: "success" })).toBe(1);
    expect(sample(text, "sluice_bff_sign_ins_total", { outcome: "failure" })).toBe(1);
    expect(text).not.toMatch(/route="\/api\/builds\/\d/);
    expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter/m);
  });
});
