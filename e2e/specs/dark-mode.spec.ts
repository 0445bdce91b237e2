import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev"), colorScheme: "dark" });

/** The page's background colour, as the user sees it behind the content. */
const background = (page: import("@playwright/test").Page) =>
  page.evaluate(() => getComputedStyle(document.querySelector(".ant-layout") as HTMLElement).backgroundColor);

test("dark mode follows the system's preference; the header switch turns it off, and the choice is remembered", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  await pipeline.triggerMany(1);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  const darkMode = page.getByRole("switch", { name: "Dark mode" });
  await expect(darkMode).toBeChecked();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  const dark = await background(page);
  expect(dark).toMatch(/^rgb\((\d{1,2}), (\d{1,2}), (\d{1,2})\)$/);

  await darkMode.click();
  await expect(darkMode).not.toBeChecked();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await expect.poll(() => background(page)).not.toBe(dark);

  // The system still prefers dark, but the user's choice wins after a reload.
  await page.reload();
  await expect(history.table()).toBeVisible();
  await expect(page.getByRole("switch", { name: "Dark mode" })).not.toBeChecked();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
});
