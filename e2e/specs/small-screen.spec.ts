import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev"), viewport: { width: 390, height: 844 } });

test("at 390 px the header folds into a menu and the history table keeps the build number and status in view while the rest scrolls", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const [build] = await pipeline.triggerMany(1);
  await pipeline.waitForCounts((c) => c.RUNNING === 1);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);

  // Nothing spills out of the page sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await page.getByRole("button", { name: "Menu" }).click();
  const menu = page.getByRole("dialog", { name: "Menu" });
  await expect(menu.getByText("Signed in as dev")).toBeVisible();
  await expect(menu.getByRole("switch", { name: "Dark mode" })).toBeVisible();
  await expect(menu.getByRole("group", { name: "Language" })).toBeVisible();
  await expect(menu.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();

  // The table scrolls sideways inside itself; the number and status stay where they were.
  const row = history.row(build!.number);
  const number = row.getByRole("link", { name: `#${build!.number}` });
  const status = row.getByText("Running", { exact: true });
  const before = { number: await number.boundingBox(), status: await status.boundingBox() };
  await history.table().evaluate((table) => {
    const scroller = table.closest(".ant-table-content") as HTMLElement;
    scroller.scrollLeft = scroller.scrollWidth;
  });
  // The last column (Notes) has come into view.
  await expect.poll(async () => (await row.getByRole("cell").last().boundingBox())?.x ?? 9999).toBeLessThan(390);
  expect((await number.boundingBox())?.x).toBeCloseTo(before.number!.x, 0);
  expect((await status.boundingBox())?.x).toBeCloseTo(before.status!.x, 0);
  await expect(number).toBeInViewport();
  await expect(status).toBeInViewport();
});
