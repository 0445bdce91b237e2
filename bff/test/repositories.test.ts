/** The project page's repository routes: hook URL, a secret shown once, the delivery log; maintainers only, behind CSRF. */
import { afterEach, describe, expect, it } from "vitest";
import { githubPush, sendHook } from "../../engine/test/git-fixture.ts";
import { waitFor } from "../../engine/test/harness.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

describe("repositories through the BFF", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.destroy();
  });

  it("a maintainer sees the engine's hook URL, rotates the secret (shown once, the old one refused) and reads the deliveries; a developer is refused", async () => {
    stack = await startStack({ db: { name: "sqlite" }, slots: 0 });
    const { api } = stack.engine;
    await api.put("/v1/projects/acme", {});
    const put = await api.put("/v1/projects/acme/repositories/app", {
      url: "https://github.com/acme/app.git",
      provider: "github",
    });
    expect(put.status).toBe(201);
    await addUser(stack, "maya", { acme: "maintainer" });
    await addUser(stack, "dev", { acme: "developer" });
    const maya = new Browser(stack.bff.url);
    await maya.signIn("maya");

    const list = await maya.request("GET", "/api/projects/acme/repositories");
    expect(list.status).toBe(200);
    // Providers post to the engine, not to the BFF: the hook URL is on the engine's address.
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: "app", hookUrl: `${stack.engine.engine.url}/v1/hooks/acme/app` }),
    ]);
    expect(list.body.items[0]).not.toHaveProperty("hookSecret");

    const forged = await maya.request("POST", "/api/projects/acme/repositories/app/hook-secret", undefined, {
      "X-CSRF-Token": "forged",
    });
    expect(forged.status).toBe(403);
    const rotated = await maya.request("POST", "/api/projects/acme/repositories/app/hook-secret");
    expect(rotated.status).toBe(201);
    const secret = rotated.body.hookSecret as string;
    expect(secret).not.toBe(put.body.hookSecret);

    const push = (s: string, delivery: string) =>
      sendHook(
        stack!.engine.engine.url,
        "acme",
        "app",
        githubPush({ secret: s, branch: "main", after: "a".repeat(40), delivery }),
      );
    expect((await push(put.body.hookSecret, "old-secret")).status).toBe(401);
    expect((await push(secret, "new-secret")).status).toBe(202);
    const log = await waitFor(async () => {
      const page = await maya.request("GET", "/api/projects/acme/repositories/app/deliveries?limit=5");
      return page.body.items.find((d: { status: string }) => d.status !== "pending") ? page.body : undefined;
    });
    expect(log.items).toEqual([
      expect.objectContaining({ deliveryId: "new-secret", event: "push", status: "ignored", branch: "main" }),
    ]);

    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    expect((await dev.request("GET", "/api/projects/acme/repositories")).status).toBe(403);
    expect((await dev.request("POST", "/api/projects/acme/repositories/app/hook-secret")).status).toBe(403);
  });

  it("the history passes the triggered-by and pull request filters on to the engine, and refuses unknown ones", async () => {
    stack = await startStack({ db: { name: "sqlite" }, slots: 0 });
    await stack.engine.api.pipeline("acme", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    await stack.engine.api.trigger("/v1/projects/acme/pipelines/web", { branch: "main" });
    await addUser(stack, "dev", { acme: "developer" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const history = (query: string) => dev.request("GET", `/api/projects/acme/pipelines/web/history?${query}`);
    expect((await history("trigger=api")).body.builds.items).toHaveLength(1);
    expect((await history("trigger=push")).body.builds.items).toHaveLength(0);
    expect((await history("pullRequest=12")).body.builds.items).toHaveLength(0);
    expect((await history("trigger=cron")).status).toBe(400);
  });
});
