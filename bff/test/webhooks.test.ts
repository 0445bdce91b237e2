/** The settings page's webhook routes: the engine's webhook API as the signed-in maintainer, behind CSRF. */
import { afterEach, describe, expect, it } from "vitest";
import { sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { verifySluiceSignature, WebhookReceiver } from "../../engine/test/webhook-receiver.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

const SECRET = "settings-page-secret-123";

describe("webhooks through the BFF", () => {
  let stack: Stack | undefined;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await stack?.destroy();
    await receiver?.stop();
  });

  it("a maintainer manages webhooks, sends a test and redelivers it; a developer is refused; mutations need CSRF", async () => {
    stack = await startStack({ db: { name: "sqlite" }, slots: 0, settings: { webhooks: { allowPrivate: true } } });
    receiver = await new WebhookReceiver().start();
    await stack.engine.api.pipeline("acme", "app", sleepPipeline());
    await addUser(stack, "maya", { acme: "maintainer" });
    await addUser(stack, "dev", { acme: "developer" });
    const maya = new Browser(stack.bff.url);
    await maya.signIn("maya");

    const body = { url: receiver.url, secret: SECRET, events: ["operation.completed"] };
    expect((await maya.request("POST", "/api/projects/acme/webhooks", body, { "X-CSRF-Token": "forged" })).status).toBe(
      403,
    );
    expect(
      (await maya.request("POST", "/api/projects/acme/webhooks", { ...body, secret: "short" })).body.error.code,
    ).toBe("invalid_input");
    const created = await maya.request("POST", "/api/projects/acme/webhooks", body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiver.url, active: true, secretSet: true });
    const id = created.body.id as number;

    const ping = await maya.request("POST", `/api/projects/acme/webhooks/${id}/pings`);
    expect(ping.status).toBe(202);
    await waitFor(async () => {
      const d = await maya.request("GET", `/api/projects/acme/webhooks/${id}/deliveries/${ping.body.id}`);
      return d.body.status === "delivered";
    });
    const log = await maya.request("GET", `/api/projects/acme/webhooks/${id}/deliveries?limit=10`);
    expect(log.body.items).toHaveLength(1);
    const again = await maya.request("POST", `/api/projects/acme/webhooks/${id}/deliveries/${ping.body.id}/redeliver`);
    expect(again.status).toBe(202);
    await waitFor(() => receiver!.requests.length === 2);
    for (const r of receiver.requests) {
      expect(verifySluiceSignature(SECRET, r.body, r.headers["x-sluice-signature-256"] as string)).toBe(true);
    }

    const patched = await maya.request("PATCH", `/api/projects/acme/webhooks/${id}`, { active: false });
    expect(patched.body).toMatchObject({ active: false, disabledReason: null });
    expect((await maya.request("GET", "/api/projects/acme/webhooks")).body.items[0].active).toBe(false);

    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    expect((await dev.request("GET", "/api/projects/acme/webhooks")).status).toBe(403);
    expect((await dev.request("DELETE", `/api/projects/acme/webhooks/${id}`)).status).toBe(403);

    expect((await maya.request("DELETE", `/api/projects/acme/webhooks/${id}`)).status).toBe(204);
    expect((await maya.request("GET", "/api/projects/acme/webhooks")).body.items).toEqual([]);
    expect((await maya.request("GET", "/api/projects/acme/webhooks/abc")).body.error.code).toBe("invalid_id");
  });
});
