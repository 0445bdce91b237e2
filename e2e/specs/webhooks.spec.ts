import { verifySluiceSignature, WebhookReceiver } from "../../engine/test/webhook-receiver.ts";
import { WebhookSettingsPage } from "../pages/webhook-settings-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("admin") });

test("a maintainer adds a webhook, sends a test, sees a bulk cancel delivered signed, and redelivers it", async ({
  page,
  project,
  makePipeline,
  api,
}) => {
  const receiver = await new WebhookReceiver().start();
  try {
    const secret = "e2e-webhook-secret-0123";
    await page.goto(`/projects/${project}`);
    await page.getByRole("link", { name: "Webhooks" }).click();
    const settings = new WebhookSettingsPage(page);
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();

    await settings.add({ url: receiver.url, secret, events: ["Build canceled"] });
    await expect(settings.row(receiver.url)).toContainText("Active");
    await expect(settings.row(receiver.url)).toContainText("Bulk operation completed");
    await expect(settings.row(receiver.url)).toContainText("Build canceled");

    await settings
      .row(receiver.url)
      .getByRole("button", { name: /^Send test/ })
      .click();
    await expect(settings.delivery("Test (ping)")).toContainText("Delivered");
    await expect(settings.delivery("Test (ping)")).toContainText("200");
    expect(receiver.ofEvent("ping")).toHaveLength(1);

    // A bulk cancel elsewhere (the API) reaches the receiver and the log.
    const pipeline = await makePipeline();
    const builds = await pipeline.triggerMany(2);
    await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 2);
    const canceled = await api.request(
      "POST",
      `/v1/projects/${project}/pipelines/${pipeline.name}/builds/batch-cancel`,
      {
        buildIds: builds.map((b) => b.id),
        reason: "e2e",
      },
    );
    expect(canceled.status).toBe(202);
    await expect(settings.delivery("Bulk operation completed")).toContainText("Delivered", { timeout: 30_000 });
    await expect.poll(() => receiver.ofEvent("operation.completed").length).toBe(1);
    await expect.poll(() => receiver.ofEvent("build.canceled").flatMap((r) => r.json.builds).length).toBe(2);
    for (const request of receiver.requests) {
      expect(verifySluiceSignature(secret, request.body, request.headers["x-sluice-signature-256"] as string)).toBe(
        true,
      );
    }

    // The delivery's details: the attempt and the exact payload; then a redelivery of it.
    const completed = settings.delivery("Bulk operation completed").first();
    await completed.getByRole("button", { name: /expand/i }).click();
    await expect(page.getByRole("list", { name: "Attempts" })).toContainText("200");
    await expect(page.getByRole("region", { name: "Payload" })).toContainText('"event": "operation.completed"');
    await completed.getByRole("button", { name: /^Redeliver/ }).click();
    await expect(settings.delivery(/Redelivery of #\d+/)).toContainText("Delivered");
    await expect.poll(() => receiver.ofEvent("operation.completed").length).toBe(2);
    const [first, second] = receiver.ofEvent("operation.completed");
    expect(second?.body).toBe(first?.body);
    expect(second?.headers["x-sluice-delivery"]).not.toBe(first?.headers["x-sluice-delivery"]);
  } finally {
    // The worker's project outlives this test: its later events go to no one.
    const hooks = await api.request<{ items: { id: number }[] }>("GET", `/v1/projects/${project}/webhooks`);
    for (const hook of hooks.body.items ?? [])
      await api.request("DELETE", `/v1/projects/${project}/webhooks/${hook.id}`);
    await receiver.stop();
  }
});
