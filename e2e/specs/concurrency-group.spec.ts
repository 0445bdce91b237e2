import { HistoryPage } from "../pages/history-page.ts";
import { sleeper } from "../support/engine-api.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("a new build of a cancelInProgress group turns the older one Canceled on the open page, superseded by #N", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline(
    sleeper({ concurrency: { group: "deploy-${{ branch }}", cancelInProgress: true } }),
  );
  const older = await pipeline.trigger({ branch: "main" });
  await pipeline.waitForCounts((c) => c.RUNNING === 1);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.expectStatus(older.number, "Running");

  const newer = await pipeline.trigger({ branch: "main" });
  await history.expectStatus(older.number, "Canceled");
  await expect(history.row(older.number)).toContainText(`superseded by #${newer.number}`);
  await expect(history.row(newer.number)).toBeVisible();
});
