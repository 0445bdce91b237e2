import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("tick canceled builds, Re-run, see the toast and the new builds appear in the history live", async ({
  page,
  api,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(3, { branch: "flaky" });
  const canceled = await api.request(
    "POST",
    `/v1/projects/${pipeline.project}/pipelines/${pipeline.name}/builds/batch-cancel`,
    { buildIds: builds.map((b) => b.id) },
  );
  expect(canceled.status).toBe(202);
  await pipeline.waitForCounts((c) => c.CANCELED === 3);

  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.tick(1, 2);
  await expect(history.rerunSelected()).toHaveText("Re-run (2)");
  await expect(history.cancelSelected()).toBeDisabled();
  await history.rerunSelected().click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("Re-run 2 builds: 2 canceled");
  await dialog.confirmWith("flaky runner");

  await history.toast().expectSummary("2 new builds · 0 skipped · 0 failed");
  await expect(page.getByText("Re-run complete")).toBeVisible();
  // The new builds arrive over the page's event stream, no reload.
  for (const n of [4, 5]) await history.expectStatus(n, /Queued|Running/);
  await expect(history.row(6)).toHaveCount(0);
  await expect(history.row(4)).toContainText("flaky");
  await pipeline.waitForCounts((c) => c.CANCELED === 3 && c.RUNNING + c.QUEUED === 2);
});

test("from an operation's page, 'Re-run what this canceled' runs those builds again", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(3, { branch: "release" });
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 3);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.tick(...builds.map((b) => b.number));
  await history.cancelSelected().click();
  await history.dialog().confirmWith("wrong commit");
  await history.toast().expectSummary("3 canceled · 0 had already finished · 0 failed");
  await history.toast().hold();
  await page.getByRole("link", { name: "View operation" }).click();
  await expect(page.getByRole("heading", { name: "Cancel of 3 builds by dev", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Re-run what this canceled" }).click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("Re-run 3 builds: 3 canceled");
  await dialog.confirmWith();
  await history.toast().expectSummary("3 new builds · 0 skipped · 0 failed");
  // Re-run once: the page now links to the re-run instead of offering it again.
  await expect(page.getByRole("link", { name: "View its re-run" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Re-run what this canceled" })).toHaveCount(0);
  await pipeline.waitForCounts((c) => c.CANCELED === 3 && c.RUNNING + c.QUEUED === 3);

  await history.goto(pipeline.path);
  for (const n of [4, 5, 6]) await expect(history.row(n)).toContainText("release");
});
