import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("'Cancel all running' with 150 active builds over several pages cancels them all, including those not on screen", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  await pipeline.triggerMany(150);
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 150);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await expect(history.cancelAllRunning()).toHaveText("Cancel all running (150)");
  await history.cancelAllRunning().click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText(/Cancel 150 builds: \d+ running, \d+ queued, up to #150/);
  await dialog.confirmWith();

  await history.toast().expectSummary("150 canceled · 0 had already finished · 0 failed");
  await expect(history.cancelAllRunning()).toHaveText("Cancel all running (0)");
  await expect(history.cancelAllRunning()).toBeDisabled();
  await expect(history.table().getByText("Running", { exact: true })).toHaveCount(0);
  await pipeline.waitForCounts((c) => c.CANCELED === 150 && c.RUNNING === 0 && c.QUEUED === 0 && c.CANCELING === 0);
});
