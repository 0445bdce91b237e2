import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("keyboard only: Tab goes round inside the cancel dialog, and Escape gives the focus back to the button that opened it", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const [build] = await pipeline.triggerMany(1);
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 1);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.tick(build!.number);

  await history.cancelSelected().focus();
  await page.keyboard.press("Enter");
  const dialog = history.dialog();
  await expect(dialog.confirm()).toBeEnabled();
  await expect(dialog.keep()).toBeFocused();
  // Past the last control (the confirm button) Tab comes back into the dialog, never to the page.
  await dialog.confirm().focus();
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.querySelector('[role="dialog"]')?.contains(document.activeElement))).toBe(
    true,
  );

  await page.keyboard.press("Escape");
  await expect(dialog.root()).toHaveCount(0);
  await expect(history.cancelSelected()).toBeFocused();
});
