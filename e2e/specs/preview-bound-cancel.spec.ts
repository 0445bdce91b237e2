import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("'Cancel all running' under a branch filter cancels every matching build, also those beyond the first page, and no other", async ({
  page,
  api,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const others = await pipeline.triggerMany(3, { branch: "main" });
  await pipeline.triggerMany(55, { branch: "release/2.4" });
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 58);
  const history = new HistoryPage(page);
  await history.goto(`${pipeline.path}?branch=release%2F2.4`);
  // One page of rows is loaded (50); the button counts every matching build.
  await expect(history.cancelAllRunning()).toHaveText("Cancel all running (55)");
  await history.cancelAllRunning().click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("55 builds");
  await expect(dialog.root()).toContainText("release/2.4");
  await dialog.confirmWith("bad push on release");

  await history.toast().expectSummary("55 canceled · 0 had already finished · 0 failed");
  await pipeline.waitForCounts((c) => c.CANCELED === 55 && c.RUNNING + c.QUEUED === 3);
  for (const build of others) {
    await expect.poll(async () => (await api.build(build.id)).status).toMatch(/^(RUNNING|QUEUED)$/);
  }
});

test("builds triggered while the dialog is open survive the confirm, and the toast counts only the builds the dialog showed", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  await pipeline.triggerMany(5);
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 5);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await expect(history.cancelAllRunning()).toHaveText("Cancel all running (5)");
  await history.cancelAllRunning().click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("5 builds");

  // The fix the user is waiting for arrives while they read the dialog.
  const late = await pipeline.triggerMany(2, { branch: "hotfix/the-fix" });
  await expect(history.row(late[1]!.number)).toBeVisible();
  await dialog.confirmWith();

  await history.toast().expectSummary("5 canceled · 0 had already finished · 0 failed");
  await pipeline.waitForCounts((c) => c.CANCELED === 5 && c.RUNNING + c.QUEUED === 2);
  for (const build of late) await history.expectStatus(build.number, /Running|Queued/);
});

test("after 'Select all', unticking a row keeps every other matching build selected, and only that one survives", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(53);
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 53);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.pageCheckbox().check();
  await history.selectAllActive().click();
  await expect(history.cancelSelected()).toHaveText("Cancel selected (53)");

  const spared = builds.at(-2)!.number;
  await history.checkbox(spared).uncheck();
  await expect(page.getByText(/except 1/)).toBeVisible();
  await expect(history.cancelSelected()).toHaveText("Cancel selected (52)");
  await history.cancelSelected().click();
  await expect(history.dialog().root()).toContainText("52 builds");
  await history.dialog().confirmWith();

  await history.toast().expectSummary("52 canceled · 0 had already finished · 0 failed");
  await pipeline.waitForCounts((c) => c.CANCELED === 52 && c.RUNNING + c.QUEUED === 1);
  await history.expectStatus(spared, /Running|Queued/);
});
