import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("the page in 简体中文, remembered after a reload", async ({ page, makePipeline }) => {
  const pipeline = await makePipeline();
  await pipeline.triggerMany(2);
  await pipeline.waitForCounts((c) => c.RUNNING === 2);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await page.getByRole("group", { name: "Language" }).getByRole("button", { name: "简体中文" }).click();
  await expect(page.getByRole("button", { name: "取消全部进行中（2）" })).toBeVisible();
  await expect(page.getByRole("group", { name: "语言" }).getByRole("button", { name: "简体中文" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await page.reload();
  await expect(page.getByRole("button", { name: "取消全部进行中（2）" })).toBeVisible();
  await expect(page.getByRole("table", { name: "构建" }).getByText("运行中").first()).toBeVisible();
});
