import { expectAccessible } from "../support/axe.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("maint") });

test("the projects page follows its projects live: a new pipeline's first build and its count appear without a reload, and the page has no serious accessibility violation", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  await page.goto("/");
  const table = page.getByRole("table", { name: `Pipelines of ${pipeline.project}` });
  await expect(table).toBeVisible();
  const card = page.locator(".ant-card").filter({ has: table });
  await expect(card.getByRole("status")).toHaveText("Live");

  const later = await makePipeline();
  await later.trigger();
  const row = table.getByRole("row").filter({ has: page.getByRole("link", { name: later.name, exact: true }) });
  await expect(row).toContainText(/Queued|Running/);
  await expectAccessible(page, "projects page");
});
