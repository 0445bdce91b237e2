import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("the event stream drops mid-operation; the page reconnects and ends in the right state without a reload", async ({
  page,
  context,
  makePipeline,
}) => {
  // Offline mode cuts a page's own connections, not those of a SharedWorker: here the page owns
  // the browser's stream itself (the fallback for browsers without SharedWorker), so going offline
  // drops it. The engine-stop story has a SharedWorker's stream end and come back.
  await context.addInitScript(() => {
    delete (window as { SharedWorker?: unknown }).SharedWorker;
  });
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(6);
  await pipeline.waitForCounts((c) => c.RUNNING === 6);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.tick(...builds.map((b) => b.number));
  await history.cancelSelected().click();
  await history.dialog().confirmWith();

  // Cut every connection while the operation settles, and keep the page offline a moment.
  await context.setOffline(true);
  await pipeline.waitForCounts((c) => c.CANCELED === 6);
  await context.setOffline(false);

  for (const b of builds) await history.expectStatus(b.number, "Canceled");
  await expect(history.table().getByText("Running", { exact: true })).toHaveCount(0);
  await history.toast().expectSummary("6 canceled · 0 had already finished · 0 failed");
});
